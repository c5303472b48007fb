using System.Globalization;

namespace Platform.Bench.Cli;

/// <summary>Hand-written parser (System.CommandLine is not available). Throws <see cref="BenchException"/> on bad input.</summary>
public static class OptionsParser
{
    public const string Help = """
        Platform.Bench: a gRPC load generator whose figures are ratios to baselines measured in the same run.

        Usage:
          dotnet run -c Release --project bench/Platform.Bench -- [options]

        Options:
          --scenarios LIST      Comma-separated scenarios to run, in order (default grpc-noop). See --list.
          --concurrency LIST    Concurrent workers; a list gives one row per level, e.g. 1,16,64 (default 64).
          --rate LIST           Operations per second of the open-loop scenarios (payment-to-balance), one row
                                per rate, e.g. 250,500 (default: the scenario's own). Closed-loop scenarios
                                ignore it and use --concurrency.
          --duration SECONDS    Measured window per row (default 10). Accepts 500ms, 10s, 2m too.
          --warmup SECONDS      Unrecorded warm-up before each row (default 3).
          --timeout SECONDS     Deadline of one operation (default 30).
          --baseline NAME       Scenario the ratio columns compare with (default grpc-noop; 'none' for none).
          --resources FILE      resources.json of a running platform (endpoints, auth, PostgreSQL).
          --pg CONNSTRING       PostgreSQL for pg-insert (default: the postgres resource of --resources).
          --token-file FILE     Bearer token for platform RPCs (default: minted from the AppHost signing key).
          --start-platform      Start the AppHost (dotnet run --project AppHost), wait until every project is
                                healthy, run, then stop it with SIGTERM. Implies --resources
                                .bench/apphost-<environment>/resources.json.
          --only NAMES          With --start-platform: passed to the AppHost as --only (e.g. customer).
          --environment NAME    With --start-platform: the services' ASPNETCORE_ENVIRONMENT (default Production,
                                as deployed; Development is what ./run.sh starts).
          --platform-timeout S  With --start-platform: how long to wait for health (default 300).
          --repo-root DIR       Repository root (default: nearest directory above holding Platform.sln).
          --json FILE           Also write the results as JSON to FILE.
          --format table|json   What stdout gets (default table). Progress always goes to stderr.
          --list                List the scenarios and exit.
          -h, --help            Show this help.

        Exit code: 0 all rows without errors, 2 some operations failed, 1 usage or setup error.
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                {
                    throw new BenchException($"Option {name} needs a value.");
                }

                return args[++i];
            }

            o = name switch
            {
                "-h" or "--help" or "-?" => o with { Help = true },
                "--list" => o with { List = true },
                "--scenarios" or "--scenario" => o with { Scenarios = List(Value(), name) },
                "--concurrency" or "-c" => o with { Concurrency = List(Value(), name).Select(v => Int(v, name)).Distinct().ToArray() },
                "--rate" => o with { Rates = List(Value(), name).Select(v => Rate(v, name)).Distinct().ToArray() },
                "--duration" or "-d" => o with { Duration = Seconds(Value(), name) },
                "--warmup" or "-w" => o with { Warmup = Seconds(Value(), name, allowZero: true) },
                "--timeout" => o with { OperationTimeout = Seconds(Value(), name) },
                "--baseline" => o with { Baseline = NoneToNull(Value()) },
                "--resources" => o with { ResourcesPath = Value() },
                "--pg" => o with { Pg = Value() },
                "--token-file" => o with { TokenFile = Value() },
                "--start-platform" => o with { StartPlatform = true },
                "--only" => o with { Only = Value() },
                "--environment" => o with { EnvironmentName = Value() },
                "--platform-timeout" => o with { PlatformTimeout = Seconds(Value(), name) },
                "--repo-root" => o with { RepoRoot = Value() },
                "--json" => o with { JsonPath = Value() },
                "--format" => o with { Format = Format(Value()) },
                _ => throw new BenchException($"Unknown option '{args[i]}'."),
            };
        }

        if (o.Only is not null && !o.StartPlatform)
        {
            throw new BenchException("--only only applies with --start-platform.");
        }

        if (o.EnvironmentName is not null && !o.StartPlatform)
        {
            throw new BenchException("--environment only applies with --start-platform (a running platform keeps the environment it was started with).");
        }

        return o;
    }

    private static string? NoneToNull(string value) => value is "none" or "" ? null : value;

    private static (string Name, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 2 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static string[] List(string value, string option)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length > 0 ? items : throw new BenchException($"Option {option} needs at least one value.");
    }

    private static int Int(string value, string option) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 4096
            ? n
            : throw new BenchException($"Option {option}: '{value}' is not a whole number between 1 and 4096.");

    private static double Rate(string value, string option) =>
        double.TryParse(value.EndsWith("/s", StringComparison.Ordinal) ? value[..^2] : value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100_000
            ? n
            : throw new BenchException($"Option {option}: '{value}' is not a rate between 0 and 100000 operations per second.");

    private static TimeSpan Seconds(string value, string option, bool allowZero = false)
    {
        var (number, scale) = value switch
        {
            _ when value.EndsWith("ms", StringComparison.Ordinal) => (value[..^2], 0.001),
            _ when value.EndsWith('s') => (value[..^1], 1.0),
            _ when value.EndsWith('m') => (value[..^1], 60.0),
            _ => (value, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || (n == 0 && !allowZero) || n * scale > 86_400)
        {
            throw new BenchException($"Option {option}: '{value}' is not a duration (seconds, or with ms/s/m; at most a day).");
        }

        return TimeSpan.FromSeconds(n * scale);
    }

    private static OutputFormat Format(string value) => value.ToLowerInvariant() switch
    {
        "table" => OutputFormat.Table,
        "json" => OutputFormat.Json,
        _ => throw new BenchException($"--format must be table or json, not '{value}'."),
    };
}
