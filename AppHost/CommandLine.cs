namespace Platform.AppHost;

/// <summary>
/// <c>[--state-dir DIR] [--only a,b] [--no-logs] [--otlp-endpoint URL | --no-dashboard] [--dashboard-port N] [--otlp-port N] [--environment NAME]</c>, or
/// <c>token --roles a,b [--subject NAME] [--hours N] [--state-dir DIR]</c>.
/// </summary>
internal sealed record CommandLine(string Command, IReadOnlyDictionary<string, string?> Options)
{
    private static readonly HashSet<string> Flags = ["--no-logs", "--no-dashboard", "--help", "-h"];
    private static readonly HashSet<string> Known = ["--state-dir", "--only", "--otlp-endpoint", "--dashboard-port", "--otlp-port", "--environment", "--roles", "--subject", "--hours", .. Flags];

    public const string Usage = """
        Usage:
          dotnet run --project AppHost [-- options]        start everything; Ctrl+C stops
            --state-dir DIR        data, logs, secrets, resources.json (default <repo>/.apphost)
            --only a,b             start only these projects (servers always start)
            --no-logs              do not stream the resources' logs to the console
            --otlp-endpoint URL    send the projects' telemetry to this OTLP collector instead of the dashboard
            --no-dashboard         no dashboard and no telemetry export
            --dashboard-port N     dashboard web UI on http://127.0.0.1:N (default 18888; a free port if taken)
            --otlp-port N          dashboard's OTLP/gRPC receiver port (default 4317; a free port if taken)
            --environment NAME     ASPNETCORE_ENVIRONMENT (default Development); any other runs the services as
                                   deployed, with migrations at start and PII keys in <state>/secrets/
          dotnet run --project AppHost -- token --roles sales_rep,finance_clerk [--subject alice] [--hours 8] [--state-dir DIR]
                                   print a JWT signed with the local key (<state>/secrets/signing-key)
        Existing servers replace started ones through ConnectionStrings__postgres, __messaging, __cache.
        """;

    public string? this[string name] => Options.TryGetValue(name, out var value) ? value : null;

    public bool Has(string name) => Options.ContainsKey(name);

    public static CommandLine Parse(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = command == "run" ? 0 : 1; i < args.Length; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            if (!Known.Contains(name))
            {
                throw new ArgumentException($"Unknown option '{args[i]}'.");
            }

            if (Flags.Contains(name))
            {
                options[name] = null;
            }
            else if (inline is not null)
            {
                options[name] = inline;
            }
            else if (i + 1 < args.Length)
            {
                options[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Option {name} needs a value.");
            }
        }

        return command is "run" or "token" ? new CommandLine(command, options) : throw new ArgumentException($"Unknown command '{command}'.");
    }

    public static IReadOnlyList<string> List(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
