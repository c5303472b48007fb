using System.Diagnostics;
using System.Runtime.InteropServices;
using Platform.Hosting.Processes;
using Platform.Hosting.Runtime;

namespace Platform.Hosting;

/// <summary>
/// The running application (Aspire's <c>DistributedApplication</c>): starts servers and projects in dependency order,
/// supervises them, keeps <c>resources.json</c> and the logs, and stops everything (projects first) on shutdown.
/// </summary>
public sealed class DistributedApp : IAsyncDisposable
{
    private readonly DistributedAppOptions options;
    private readonly LogHub log;
    private readonly StatusBoard board;
    private readonly List<ResourceRuntime> runtimes = [];
    private readonly Dictionary<string, ResourceRuntime> byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ProjectLaunch> launches = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock gate = new();
    private readonly FileStream stateLock;
    private Task? stopping;
    private bool started;

    internal DistributedApp(DistributedAppOptions options, IReadOnlyList<Resource> resources)
    {
        this.options = options;
        RepositoryRoot = options.RepositoryRoot ?? RepositoryLayout.FindRoot();
        StateDirectory = Path.GetFullPath(options.StateDirectory ?? RepositoryLayout.DefaultStateDirectory(RepositoryRoot));
        Directory.CreateDirectory(StateDirectory);
        stateLock = LockStateDirectory(StateDirectory);
        var settings = LocalSecrets.ProjectSettings(StateDirectory, options.EnvironmentName);
        SigningKey = settings["Auth__SigningKey"];
        SigningKeyFile = LocalSecrets.SigningKeyPath(StateDirectory);
        var selected = resources.Where(r => r is not ProjectResource p || options.Projects is null
            || options.Projects.Contains(p.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        var withOutput = selected.Where(r => r is not PostgresDatabaseResource).Select(r => r.Name).ToList();
        log = new LogHub(Path.Combine(StateDirectory, "logs"), withOutput, options.StreamLogs, options.ShowResourceTable);
        board = new StatusBoard(StateDirectory, SigningKeyFile, options.ShowResourceTable);
        foreach (var project in resources.OfType<ProjectResource>())
        {
            launches[project.Name] = new ProjectLaunch(project, RepositoryRoot, options, settings, byName, launches);
        }

        foreach (var resource in selected)
        {
            ResourceRuntime runtime = resource switch
            {
                ServerResource server => new ServerRuntime(server, board, log, Path.Combine(StateDirectory, server.Name), ExistingServer(server.Name)),
                PostgresDatabaseResource database => new DatabaseRuntime(database, (ServerRuntime)byName[database.Parent.Name], board, log),
                ProjectResource project => new ProjectRuntime(project, launches[project.Name], board, log, options.ProjectStopTimeout),
                _ => throw new ArgumentException($"Unsupported resource {resource}."),
            };
            if (runtime is DatabaseRuntime db)
            {
                ((ServerRuntime)byName[((PostgresDatabaseResource)resource).Parent.Name]).Add(db);
            }

            runtimes.Add(runtime);
            byName[resource.Name] = runtime;
        }

        board.Attach(runtimes);
    }

    public string RepositoryRoot { get; }

    public string StateDirectory { get; }

    /// <summary>The base64 HMAC key the projects get as Auth__SigningKey (issuer <see cref="LocalSecrets.Issuer"/>, audience <see cref="LocalSecrets.Audience"/>).</summary>
    public string SigningKey { get; }

    public string SigningKeyFile { get; }

    public string ResourcesFile => board.JsonPath;

    /// <summary>How long the last <see cref="StartAsync"/> took until everything was healthy.</summary>
    public TimeSpan? StartupDuration { get; private set; }

    /// <summary>Starts everything and returns once every resource is healthy; throws (with log tails) on failure or after the start timeout.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (started || stopping is not null)
            {
                throw new InvalidOperationException("The application was already started.");
            }

            started = true;
        }

        var clock = Stopwatch.StartNew();
        log.Info($"starting {runtimes.Count} resources (state {StateDirectory}, projects from {options.BuildConfiguration ?? RepositoryLayout.BuildConfiguration} builds)");
        board.Changed();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        var tasks = runtimes.Select(r => Task.Run(() => r.StartAsync(timeout.Token), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = timeout.IsCancellationRequested ? $"not healthy within {options.StartTimeout.TotalSeconds:0} s" : "failed to start";
            var message = $"The application {reason}:\n{Describe(r => r.State != ResourceStates.Healthy)}";
            log.Info(message);
            throw new InvalidOperationException(message, tasks.FirstOrDefault(t => t.IsFaulted)?.Exception?.InnerException);
        }

        StartupDuration = clock.Elapsed;
        log.Info($"all {runtimes.Count} resources healthy in {clock.Elapsed.TotalSeconds:0.0} s; resources in {ResourcesFile}");
        board.AllUp();
    }

    /// <summary>Starts, runs until Ctrl+C / SIGTERM / SIGHUP (or the token), then stops. A second signal kills everything at once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                log.Info($"{context.Signal} received: stopping (again to kill everything at once)");
                stop.Cancel();
                return;
            }

            log.Info("second signal: killing every process");
            ProcessLauncher.KillAll();
            Environment.Exit(130);
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        try
        {
            try
            {
                await StartAsync(stop.Token);
            }
            catch (InvalidOperationException) when (!stop.IsCancellationRequested && ServersHealthy())
            {
                // A project that does not come up keeps being restarted: fix it, rebuild, and the next restart runs the new build.
                log.Info("continuing with the projects that are up; failing ones keep being restarted (Ctrl+C to stop)");
                board.AllUp();
            }

            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // shutting down
        }
        finally
        {
            await StopAsync();
        }
    }

    /// <summary>Stops projects (SIGTERM, then the tree is killed after the stop timeout), then servers gracefully. Idempotent.</summary>
    public Task StopAsync()
    {
        lock (gate)
        {
            return stopping ??= StopCoreAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>A project's "grpc" or "http" endpoint, or a server's "tcp" endpoint.</summary>
    public Uri GetEndpoint(string resource, string endpoint = "grpc")
    {
        if (launches.TryGetValue(resource, out var launch))
        {
            return endpoint switch
            {
                "grpc" => new Uri(launch.GrpcUrl),
                "http" => new Uri(launch.HttpUrl),
                _ => throw new KeyNotFoundException($"Project {resource} has endpoints grpc and http, not {endpoint}."),
            };
        }

        var snapshot = Get(resource).Snapshot();
        return snapshot.Endpoints.TryGetValue(endpoint, out var url)
            ? new Uri(url)
            : throw new KeyNotFoundException($"{resource} has no endpoint {endpoint} (yet).");
    }

    /// <summary>The connection string a project referencing this database or server receives.</summary>
    public string GetConnectionString(string resource) =>
        Get(resource).ConnectionString ?? throw new InvalidOperationException($"The connection string of {resource} is not known yet (not started).");

    public ResourceState GetResource(string name) => Get(name).Snapshot();

    public IReadOnlyList<ResourceState> GetResources() => runtimes.Select(r => r.Snapshot()).ToList();

    /// <summary><c>&lt;state&gt;/logs/&lt;name&gt;.log</c>.</summary>
    public string GetLogFile(string name) => Path.Combine(StateDirectory, "logs", Get(name).Name + ".log");

    /// <summary>SIGKILL to a project's process tree, as a crash; returns once it is gone (supervision then restarts it).</summary>
    public Task KillAsync(string project) => Get(project).KillAsync();

    /// <summary>Stops and starts a resource again: a server on the same port and data, a project with a new process.</summary>
    public Task RestartAsync(string name, CancellationToken cancellationToken = default) => Get(name).RestartAsync(cancellationToken);

    /// <summary>Stops one resource (an outage) until <see cref="StartResourceAsync"/>.</summary>
    public Task StopResourceAsync(string name) => Get(name).StopAsync();

    public Task StartResourceAsync(string name, CancellationToken cancellationToken = default) => Get(name).ResumeAsync(cancellationToken);

    public Task WaitForHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        Get(name).WaitForStateAsync(ResourceStates.Healthy, cancellationToken);

    /// <summary>The resource table as printed on the console.</summary>
    public string FormatTable() => board.Table();

    private async Task StopCoreAsync()
    {
        board.Stopping();
        log.Info("stopping projects");
        var projects = runtimes.OfType<ProjectRuntime>().ToList();
        await Task.WhenAll(projects.Select(p => p.ShutdownAsync()));
        projects.ForEach(p => p.Dispose());
        log.Info("stopping servers");
        await Task.WhenAll(runtimes.OfType<ServerRuntime>().Select(s => s.ShutdownAsync()));
        board.Stopped();
        log.Info("stopped");
        log.Dispose();
        await stateLock.DisposeAsync();
    }

    /// <summary>One orchestrator per state directory: two would run two servers on the same data.</summary>
    private static FileStream LockStateDirectory(string directory)
    {
        var pidFile = Path.Combine(directory, "apphost.pid");
        try
        {
            var stream = new FileStream(Path.Combine(directory, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(pidFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return stream;
        }
        catch (IOException e)
        {
            var owner = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "?";
            throw new InvalidOperationException($"The state directory {directory} is in use by another AppHost (pid {owner}); stop it or use --state-dir.", e);
        }
    }

    private bool ServersHealthy() =>
        runtimes.Where(r => r is not ProjectRuntime).All(r => r.State == ResourceStates.Healthy);

    private ResourceRuntime Get(string name) =>
        byName.TryGetValue(name, out var runtime)
            ? runtime
            : throw new KeyNotFoundException($"No running resource named '{name}'. Resources: {string.Join(", ", byName.Keys)}.");

    private string Describe(Func<ResourceRuntime, bool> which) => string.Join('\n', runtimes.Where(which).Select(r =>
    {
        var tail = r.LogTail(15);
        var lines = tail.Count == 0 ? "" : "\n" + string.Join('\n', tail.Select(l => "    | " + l));
        var why = r.State == ResourceStates.Failed && r.Failure is not null ? $" ({r.Failure})" : "";
        return $"  {r.Name} ({r.Resource.Type}): {r.State}{why}, log {Path.Combine(StateDirectory, "logs", r.Name + ".log")}{lines}";
    }));

    private string? ExistingServer(string name) =>
        options.ConnectionStrings.TryGetValue(name, out var configured) && !string.IsNullOrWhiteSpace(configured) ? configured
        : Environment.GetEnvironmentVariable($"ConnectionStrings__{name}") is { Length: > 0 } env ? env
        : Environment.GetEnvironmentVariable($"ConnectionStrings:{name}") is { Length: > 0 } colon ? colon
        : null;
}
