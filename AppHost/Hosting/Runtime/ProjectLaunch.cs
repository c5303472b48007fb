using Platform.Hosting.Processes;

namespace Platform.Hosting.Runtime;

/// <summary>How a project is run: its built assembly, two loopback ports, and the environment Aspire would give it.</summary>
internal sealed class ProjectLaunch
{
    private readonly ProjectResource project;
    private readonly DistributedAppOptions options;
    private readonly IReadOnlyDictionary<string, string> settings;
    private readonly IReadOnlyDictionary<string, ResourceRuntime> runtimes;
    private readonly IReadOnlyDictionary<string, ProjectLaunch> projects;

    public ProjectLaunch(
        ProjectResource project,
        string repositoryRoot,
        DistributedAppOptions options,
        IReadOnlyDictionary<string, string> settings,
        IReadOnlyDictionary<string, ResourceRuntime> runtimes,
        IReadOnlyDictionary<string, ProjectLaunch> projects)
    {
        this.project = project;
        this.options = options;
        this.settings = settings;
        this.runtimes = runtimes;
        this.projects = projects;
        Configuration = options.BuildConfiguration ?? RepositoryLayout.BuildConfiguration;
        ProjectFile = Path.GetFullPath(Path.Combine(repositoryRoot, project.ProjectPath));
        AssemblyPath = RepositoryLayout.ProjectAssemblyPath(ProjectFile, Configuration);
        GrpcUrl = $"http://127.0.0.1:{PortAllocator.GetFreePort()}";
        HttpUrl = $"http://127.0.0.1:{PortAllocator.GetFreePort()}";
    }

    public string Configuration { get; }

    public string ProjectFile { get; }

    public string AssemblyPath { get; }

    /// <summary>Cleartext HTTP/2 (gRPC).</summary>
    public string GrpcUrl { get; }

    /// <summary>HTTP/1.1: /health, /alive, JSON transcoding.</summary>
    public string HttpUrl { get; }

    /// <summary>Waits for the wait-for resources to be healthy and the referenced connection strings to be known; returns the environment.</summary>
    public async Task<IReadOnlyDictionary<string, string?>> PrepareAsync(CancellationToken cancellationToken)
    {
        foreach (var dependency in project.WaitsFor)
        {
            if (runtimes.TryGetValue(dependency.Name, out var runtime))
            {
                await runtime.FirstHealthy.WaitAsync(cancellationToken);
            }
        }

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Kestrel__Endpoints__grpc__Url"] = GrpcUrl,
            ["Kestrel__Endpoints__http__Url"] = HttpUrl,
            ["ASPNETCORE_ENVIRONMENT"] = options.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = options.EnvironmentName,
            ["OTEL_SERVICE_NAME"] = project.Name,
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        if (!string.IsNullOrEmpty(options.OtlpEndpoint))
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint;
        }

        foreach (var reference in project.References)
        {
            if (reference is ProjectResource other)
            {
                var target = projects[other.Name];
                environment[$"services__{other.Name}__grpc__0"] = target.GrpcUrl;
                environment[$"services__{other.Name}__http__0"] = target.HttpUrl;
            }
            else
            {
                environment[$"ConnectionStrings__{reference.Name}"] = await runtimes[reference.Name].ConnectionStringKnown.WaitAsync(cancellationToken);
            }
        }

        foreach (var (key, value) in project.Environment.Concat(options.ProjectEnvironment))
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary><c>dotnet &lt;dll&gt;</c> in the project directory, with a new service instance id per launch.</summary>
    public ChildProcessSpec CreateSpec(IReadOnlyDictionary<string, string?> environment, Action<string> output)
    {
        var perLaunch = new Dictionary<string, string?>(environment, StringComparer.Ordinal)
        {
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=" + Guid.NewGuid().ToString("D"),
        };
        return new ChildProcessSpec(DotnetHost(), [AssemblyPath])
        {
            Environment = perLaunch,
            WorkingDirectory = Path.GetDirectoryName(ProjectFile),
            StopSignal = Native.SigTerm,
            Output = output,
        };
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
