using System.Text.Json;

namespace Platform.Bench.Target;

/// <summary>
/// The <c>resources.json</c> the platform AppHost writes into its state directory:
/// <c>{"state":"running","auth":{…},"resources":[{"name","type","parent","connectionString","state","endpoints":{"grpc":…}}]}</c>.
/// </summary>
public sealed record PlatformResources(string? State, PlatformAuth? Auth, IReadOnlyList<PlatformResource> Resources)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Resources of type <c>project</c>: the platform's services.</summary>
    public IEnumerable<PlatformResource> Projects => Resources.Where(r => r.Type == "project");

    /// <summary>The PostgreSQL server (type <c>postgres</c>) the services' databases live on.</summary>
    public PlatformResource? Postgres => Resources.FirstOrDefault(r => r.Type == "postgres");

    public PlatformResource? Find(string name) =>
        Resources.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the AppHost says it is running and reports at least one project, all healthy.</summary>
    public bool AllProjectsHealthy =>
        State == "running" && Projects.Any() && Projects.All(p => p.State == "healthy");

    public static PlatformResources Parse(string json) =>
        JsonSerializer.Deserialize<PlatformResources>(json, Json) is { } parsed
            ? parsed with { Resources = parsed.Resources ?? [] }
            : throw new BenchException("resources.json is empty.");

    public static PlatformResources Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new BenchException($"Resources file '{path}' does not exist (it is written by the AppHost; pass --resources or --start-platform).");
        }

        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new BenchException($"Resources file '{path}' is not valid JSON: {ex.Message}");
        }
    }
}

public sealed record PlatformAuth(string? Issuer, string? Audience, string? SigningKeyFile);

public sealed record PlatformResource(
    string Name,
    string? Type,
    string? Parent,
    string? ConnectionString,
    string? State,
    IReadOnlyDictionary<string, string>? Endpoints);
