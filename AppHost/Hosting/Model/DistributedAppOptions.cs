namespace Platform.Hosting;

public sealed class DistributedAppOptions
{
    /// <summary>Data, logs, secrets and resources.json; default <c>&lt;repo&gt;/.apphost</c>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The projects to start (servers always start); null for all.</summary>
    public IReadOnlyCollection<string>? Projects { get; set; }

    /// <summary>ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT of the projects.</summary>
    public string EnvironmentName { get; set; } = "Development";

    /// <summary>OTEL_EXPORTER_OTLP_ENDPOINT of the projects, when set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Write every resource's output to the console, prefixed with its name.</summary>
    public bool StreamLogs { get; set; } = true;

    /// <summary>Print the resource table and the orchestrator's own messages (restarts, failures) to the console.</summary>
    public bool ShowResourceTable { get; set; } = true;

    /// <summary>
    /// Existing servers instead of started ones, by resource name (as Aspire's AddConnectionString).
    /// Environment variables <c>ConnectionStrings__&lt;name&gt;</c> are read too; these entries win.
    /// </summary>
    public IDictionary<string, string> ConnectionStrings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Extra environment for every project (after the orchestrator's own variables, so it can override them).</summary>
    public IDictionary<string, string> ProjectEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Default: found by walking up to Platform.sln.</summary>
    public string? RepositoryRoot { get; set; }

    /// <summary>Which build of the projects to run; default: the configuration this assembly was built with.</summary>
    public string? BuildConfiguration { get; set; }

    /// <summary>How long <see cref="DistributedApp.StartAsync"/> waits for everything to be healthy.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Between SIGTERM and killing a project's process tree.</summary>
    public TimeSpan ProjectStopTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
