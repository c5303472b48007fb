using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Hosting.Processes;

namespace Platform.Hosting.Runtime;

/// <summary>The resource table: <c>&lt;state&gt;/resources.json</c> rewritten atomically on every change, and printed once all is up and on changes.</summary>
internal sealed class StatusBoard(string stateDirectory, string signingKeyFile, bool printTable)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock gate = new();
    private IReadOnlyList<ResourceRuntime> resources = [];
    private string overall = "running";
    private bool allUp;
    private bool printPending;

    public string JsonPath { get; } = Path.Combine(stateDirectory, "resources.json");

    public void Attach(IReadOnlyList<ResourceRuntime> runtimes) => resources = runtimes;

    public void Changed()
    {
        lock (gate)
        {
            WriteJson();
            if (!allUp || printPending || !printTable)
            {
                return;
            }

            printPending = true;
        }

        _ = Task.Delay(300).ContinueWith(_ => PrintTable(), TaskScheduler.Default);
    }

    /// <summary>Everything is healthy: print the table, and from now on after every change.</summary>
    public void AllUp()
    {
        lock (gate)
        {
            allUp = true;
        }

        if (printTable)
        {
            PrintTable();
        }
    }

    /// <summary>Shutdown begins: no more tables.</summary>
    public void Stopping()
    {
        lock (gate)
        {
            allUp = false;
        }
    }

    public void Stopped()
    {
        lock (gate)
        {
            overall = "stopped";
            allUp = false;
            WriteJson();
        }
    }

    public string Table()
    {
        var rows = resources.Select(r => r.Snapshot()).Select(s => new[]
        {
            s.Name, s.Type, s.State, s.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
            s.Endpoints.Count == 0 ? "-" : string.Join(" ", s.Endpoints.Select(e => $"{e.Key}={e.Value}")),
            s.Restarts.ToString(CultureInfo.InvariantCulture),
        }).Prepend(["NAME", "TYPE", "STATE", "PID", "ENDPOINTS", "RESTARTS"]).ToList();
        var widths = Enumerable.Range(0, 6).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == 5 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString().TrimEnd();
    }

    private void PrintTable()
    {
        lock (gate)
        {
            printPending = false;
            if (!allUp)
            {
                return;
            }
        }

        LogHub.Print(Table());
    }

    private void WriteJson()
    {
        var list = new JsonArray();
        foreach (var s in resources.Select(r => r.Snapshot()))
        {
            var item = new JsonObject { ["name"] = s.Name, ["type"] = s.Type };
            if (s.Parent is not null)
            {
                item["parent"] = s.Parent;
            }

            item["state"] = s.State;
            if (s.Type != "database")
            {
                item["pid"] = s.Pid;
                item["restarts"] = s.Restarts;
                item["endpoints"] = new JsonObject(s.Endpoints.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));
            }

            if (s.ConnectionString is not null)
            {
                item["connectionString"] = s.ConnectionString;
            }

            list.Add(item);
        }

        var document = new JsonObject
        {
            ["state"] = overall,
            ["updatedAt"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["auth"] = new JsonObject { ["issuer"] = LocalSecrets.Issuer, ["audience"] = LocalSecrets.Audience, ["signingKeyFile"] = signingKeyFile },
            ["resources"] = list,
        };
        var temp = JsonPath + ".tmp";
        File.WriteAllText(temp, document.ToJsonString(Indented));
        UnixFiles.SetMode(temp, UnixFiles.Private);
        File.Move(temp, JsonPath, overwrite: true);
    }
}
