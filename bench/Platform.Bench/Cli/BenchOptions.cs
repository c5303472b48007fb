namespace Platform.Bench.Cli;

public enum OutputFormat
{
    Table,
    Json,
}

/// <summary>The parsed command line; see <see cref="OptionsParser.Help"/>.</summary>
public sealed record BenchOptions
{
    public const string DefaultBaseline = "grpc-noop";

    public IReadOnlyList<string> Scenarios { get; init; } = ["grpc-noop"];

    public IReadOnlyList<int> Concurrency { get; init; } = [64];

    /// <summary>Operations per second for open-loop scenarios (one row per rate); null: each one's default.</summary>
    public IReadOnlyList<double>? Rates { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Deadline of one operation (gRPC deadline; the scenarios pass it on).</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string? ResourcesPath { get; init; }

    public string? Pg { get; init; }

    /// <summary>Scenario every row is compared with; null for none.</summary>
    public string? Baseline { get; init; } = DefaultBaseline;

    public string? JsonPath { get; init; }

    public OutputFormat Format { get; init; } = OutputFormat.Table;

    public string? TokenFile { get; init; }

    public bool StartPlatform { get; init; }

    /// <summary>Passed to the AppHost as <c>--only</c> with <see cref="StartPlatform"/>.</summary>
    public string? Only { get; init; }

    /// <summary>The services' environment with <see cref="StartPlatform"/>; null means Production.</summary>
    public string? EnvironmentName { get; init; }

    public TimeSpan PlatformTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public string? RepoRoot { get; init; }

    public bool Help { get; init; }

    public bool List { get; init; }
}
