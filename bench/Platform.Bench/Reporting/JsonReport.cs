using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Bench.Reporting;

public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize(BenchReport report) => JsonSerializer.Serialize(report, Options);

    public static async Task WriteAsync(BenchReport report, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        await File.WriteAllTextAsync(path, Serialize(report) + Environment.NewLine);
    }
}
