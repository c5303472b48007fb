using Platform.Hosting.Processes;

namespace Platform.Hosting.Runtime;

/// <summary>
/// A project process under supervision: started once its wait-for resources are healthy, healthy when
/// <c>GET /health</c> on its http endpoint answers 200, restarted with exponential backoff (1 s … 30 s) when it exits.
/// </summary>
internal sealed class ProjectRuntime : ResourceRuntime, IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(10), // a cold first /health (connecting to the database, broker and cache) takes seconds
    };

    private readonly ProjectLaunch launch;
    private readonly LogHub log;
    private readonly TimeSpan stopTimeout;
    private readonly CancellationTokenSource lifetime = new();
    private readonly SemaphoreSlim resume = new(0);
    private volatile ChildProcess? process;
    private Task? supervisor;
    private volatile bool paused;
    private volatile bool restartRequested;

    public ProjectRuntime(ProjectResource resource, ProjectLaunch launch, StatusBoard board, LogHub log, TimeSpan stopTimeout)
        : base(resource, board)
    {
        this.launch = launch;
        this.log = log;
        this.stopTimeout = stopTimeout;
        Endpoints["grpc"] = launch.GrpcUrl;
        Endpoints["http"] = launch.HttpUrl;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string?> environment;
        try
        {
            environment = await launch.PrepareAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Set(ResourceStates.Failed, null, failure: new InvalidOperationException($"a resource it waits for failed: {e.Message}", e));
            throw;
        }
        if (!File.Exists(launch.AssemblyPath))
        {
            var error = new FileNotFoundException($"{Name}: {launch.AssemblyPath} not found; build it first (dotnet build {launch.ProjectFile} -c {launch.Configuration}).");
            log.Info(error.Message);
            Set(ResourceStates.Failed, null, failure: error);
            throw error;
        }

        supervisor = Task.Run(() => SuperviseAsync(environment, lifetime.Token), CancellationToken.None);
        await FirstHealthy.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync()
    {
        paused = true;
        await StopProcessAsync();
        if (State != ResourceStates.Failed)
        {
            Set(ResourceStates.Stopped, null);
        }
    }

    /// <summary>Stops the supervisor for good (orchestrator shutdown).</summary>
    public async Task ShutdownAsync()
    {
        paused = true;
        await lifetime.CancelAsync();
        resume.Release();
        await StopProcessAsync();
        if (supervisor is not null)
        {
            await supervisor.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await StopProcessAsync();
        Set(ResourceStates.Stopped, null);
    }

    public override async Task RestartAsync(CancellationToken cancellationToken)
    {
        var old = Pid;
        restartRequested = !paused;
        await StopProcessAsync();
        await ResumeAsync(cancellationToken);
        await WaitUntilAsync(s => s.State == ResourceStates.Healthy && s.Pid is not null && s.Pid != old, cancellationToken);
    }

    public override async Task ResumeAsync(CancellationToken cancellationToken)
    {
        if (paused)
        {
            paused = false;
            resume.Release();
        }

        await WaitForStateAsync(ResourceStates.Healthy, cancellationToken);
    }

    /// <summary>SIGKILL to the process tree, as a crash; supervision restarts it.</summary>
    public override async Task KillAsync()
    {
        var running = process ?? throw new InvalidOperationException($"{Name} is not running.");
        log.Info($"{Name}: killing process {running.Pid} (SIGKILL)");
        running.KillTree();
        await running.Exited;
        await WaitUntilAsync(s => s.Pid != running.Pid, CancellationToken.None);
    }

    public override IReadOnlyList<string> LogTail(int lines) => process?.Tail(lines) ?? [];

    public void Dispose()
    {
        lifetime.Dispose();
        resume.Dispose();
    }

    private async Task SuperviseAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var crashed = false;
        while (!stopping.IsCancellationRequested)
        {
            if (paused)
            {
                await resume.WaitAsync(stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            Set(crashed ? ResourceStates.Restarting : ResourceStates.Starting, null);
            var started = DateTime.UtcNow;
            ChildProcess running;
            try
            {
                running = await ChildProcess.StartAsync(launch.CreateSpec(environment, log.Sink(Name)));
            }
            catch (Exception e)
            {
                log.Info($"{Name}: cannot start: {e.Message}");
                Set(ResourceStates.Failed, null, failure: e);
                return;
            }

            process = running;
            if (stopping.IsCancellationRequested || paused)
            {
                await running.StopAsync(stopTimeout);
                continue;
            }

            Set(crashed ? ResourceStates.Restarting : ResourceStates.Starting, running.Pid);
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var health = WatchHealthAsync(running, watch.Token);
            var code = await running.Exited;
            await watch.CancelAsync();
            await health.ContinueWith(_ => { }, TaskScheduler.Default);
            if (stopping.IsCancellationRequested || paused)
            {
                continue;
            }

            if (restartRequested)
            {
                restartRequested = false;
                crashed = true;
                Set(ResourceStates.Restarting, null, countRestart: true);
                continue;
            }

            if (DateTime.UtcNow - started > TimeSpan.FromSeconds(60))
            {
                backoff = TimeSpan.FromSeconds(1);
            }

            crashed = true;
            log.Info($"{Name}: exited with code {code}; restarting in {backoff.TotalSeconds:0} s");
            Set(ResourceStates.Restarting, null, countRestart: true);
            await Task.Delay(backoff, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    private async Task WatchHealthAsync(ChildProcess running, CancellationToken cancellationToken)
    {
        var url = launch.HttpUrl + "/health";
        var wasHealthy = false;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested && !running.HasExited)
        {
            var ok = await ProbeAsync(url, cancellationToken);
            if (running.HasExited || cancellationToken.IsCancellationRequested)
            {
                return;
            }

            failures = ok ? 0 : failures + 1;
            if (ok)
            {
                wasHealthy = true;
                Set(ResourceStates.Healthy, running.Pid);
            }
            else if (wasHealthy && failures >= 2)
            {
                Set(ResourceStates.Unhealthy, running.Pid);
            }

            await Task.Delay(wasHealthy ? TimeSpan.FromSeconds(2) : TimeSpan.FromMilliseconds(200), cancellationToken)
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task<bool> ProbeAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task StopProcessAsync()
    {
        var running = process;
        if (running is null || running.HasExited)
        {
            return;
        }

        await running.StopAsync(stopTimeout);
    }
}
