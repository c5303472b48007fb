using Platform.Hosting.Servers;

namespace Platform.Hosting.Runtime;

/// <summary>PostgreSQL, RabbitMQ or Redis: started from local binaries into <c>&lt;state&gt;/&lt;name&gt;</c>, or an existing server given by connection string.</summary>
internal sealed class ServerRuntime : ResourceRuntime
{
    private readonly string dataDirectory;
    private readonly LogHub log;
    private readonly List<DatabaseRuntime> databases = [];
    private int generation;

    public ServerRuntime(ServerResource resource, StatusBoard board, LogHub log, string dataDirectory, string? external)
        : base(resource, board)
    {
        this.dataDirectory = dataDirectory;
        this.log = log;
        External = external;
        Server = external is not null ? null : resource switch
        {
            PostgresServerResource => new PostgresServer(output: log.Sink(resource.Name)),
            RabbitMqServerResource => new RabbitMqServer(output: log.Sink(resource.Name)),
            RedisResource => new RedisServer(output: log.Sink(resource.Name)),
            _ => throw new ArgumentException($"Unknown server type {resource.Type}."),
        };
    }

    /// <summary>The started server; null when an existing server is used.</summary>
    public LocalServer? Server { get; }

    public string? External { get; }

    public void Add(DatabaseRuntime database) => databases.Add(database);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (External is not null)
        {
            log.Info($"{Name}: using the existing server from ConnectionStrings__{Name}");
            SetConnectionString(External);
            Set(ResourceStates.Healthy, null);
            return;
        }

        await StartServerAsync(cancellationToken);
    }

    /// <summary>Stops the server (an outage) until <see cref="ResumeAsync"/>.</summary>
    public override Task StopAsync()
    {
        RequireLocal();
        return ShutdownAsync();
    }

    /// <summary>Orchestrator shutdown: stops a started server; an existing one is only no longer used.</summary>
    public async Task ShutdownAsync()
    {
        Interlocked.Increment(ref generation);
        if (Server is not null)
        {
            await Server.StopAsync();
        }

        Set(ResourceStates.Stopped, null);
    }

    public override async Task RestartAsync(CancellationToken cancellationToken)
    {
        RequireLocal();
        Interlocked.Increment(ref generation);
        Set(ResourceStates.Restarting, Pid, countRestart: true);
        log.Info($"{Name}: restarting on port {Server!.Port}");
        await Server.StopAsync();
        await StartServerAsync(cancellationToken);
    }

    public override Task ResumeAsync(CancellationToken cancellationToken)
    {
        RequireLocal();
        return Server!.IsRunning ? Task.CompletedTask : StartServerAsync(cancellationToken);
    }

    public override IReadOnlyList<string> LogTail(int lines) => Server?.LogTail(lines) ?? [];

    protected override void OnStateChanged(string state)
    {
        foreach (var database in databases)
        {
            database.FollowParent(state);
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var server = Server!;
        try
        {
            Set(State == ResourceStates.Restarting ? ResourceStates.Restarting : ResourceStates.Starting, null);
            await server.StartAsync(dataDirectory, cancellationToken);
        }
        catch (Exception e)
        {
            log.Info($"{Name}: failed to start: {e.Message}");
            Set(ResourceStates.Failed, null, failure: e);
            throw;
        }

        lock (this)
        {
            Endpoints["tcp"] = $"tcp://127.0.0.1:{server.Port}";
        }

        SetConnectionString(server.ConnectionString);
        var current = Interlocked.Increment(ref generation);
        Set(ResourceStates.Healthy, server.Pid);
        _ = server.Exited.ContinueWith(
            t =>
            {
                if (Volatile.Read(ref generation) == current)
                {
                    log.Info($"{Name}: exited unexpectedly with code {t.Result}");
                    Set(ResourceStates.Failed, null);
                }
            },
            TaskScheduler.Default);
    }

    private void RequireLocal()
    {
        if (Server is null)
        {
            throw new InvalidOperationException($"{Resource} is an existing server (ConnectionStrings__{Name}); it cannot be stopped or restarted from here.");
        }
    }
}
