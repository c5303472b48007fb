using Platform.Hosting.Servers;

namespace Platform.Testing;

/// <summary>
/// The real PostgreSQL, RabbitMQ and Redis of one test run, started once from the installed binaries with their own
/// data directories and ports under the temp folder (so they never touch a running AppHost), stopped when the run ends.
/// Each test class takes its own databases and virtual hosts from them.
/// </summary>
public sealed class Infrastructure
{
    private static readonly Lazy<Task<Infrastructure>> Shared = new(StartAsync);
    private static int counter;
    private readonly PostgresServer postgres;
    private readonly RabbitMqServer rabbitMq;
    private readonly RedisServer redis;

    private Infrastructure(PostgresServer postgres, RabbitMqServer rabbitMq, RedisServer redis)
    {
        this.postgres = postgres;
        this.rabbitMq = rabbitMq;
        this.redis = redis;
    }

    public static string RunDirectory { get; } = Path.Combine(Path.GetTempPath(), "platform-tests", $"run-{Environment.ProcessId}");

    public static Task<Infrastructure> SharedAsync() => Shared.Value;

    public string Redis => redis.ConnectionString;

    public string PostgresServer => postgres.ConnectionString;

    /// <summary>A new, empty database; answers its connection string.</summary>
    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref counter)}";
        await postgres.CreateDatabaseAsync(name);
        return postgres.ConnectionStringFor(name);
    }

    /// <summary>A new virtual host; answers its AMQP connection string.</summary>
    public Task<string> NewVirtualHostAsync(string prefix) =>
        rabbitMq.AddVirtualHostAsync($"{prefix}-{Interlocked.Increment(ref counter)}");

    /// <summary>A RabbitMQ of one test's own, for outages (stop it, start it again on the same port).</summary>
    public static async Task<DedicatedServer<RabbitMqServer>> StartDedicatedRabbitMqAsync(string name)
    {
        var server = new RabbitMqServer();
        var directory = Path.Combine(RunDirectory, $"rabbitmq-{name}-{Interlocked.Increment(ref counter)}");
        await server.StartAsync(directory);
        return new DedicatedServer<RabbitMqServer>(server, directory);
    }

    private static async Task<Infrastructure> StartAsync()
    {
        SweepEndedRuns(Path.GetDirectoryName(RunDirectory)!);
        if (Directory.Exists(RunDirectory))
        {
            Directory.Delete(RunDirectory, recursive: true);
        }

        var postgres = new PostgresServer();
        var rabbitMq = new RabbitMqServer();
        var redis = new RedisServer();
        await Task.WhenAll(
            postgres.StartAsync(Path.Combine(RunDirectory, "postgres")),
            rabbitMq.StartAsync(Path.Combine(RunDirectory, "rabbitmq")),
            redis.StartAsync(Path.Combine(RunDirectory, "redis")));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Task.WaitAll(
                [postgres.DisposeAsync().AsTask(), rabbitMq.DisposeAsync().AsTask(), redis.DisposeAsync().AsTask()],
                TimeSpan.FromSeconds(30));
            try
            {
                Directory.Delete(RunDirectory, recursive: true);
            }
            catch (IOException)
            {
                // left for the next run to clear (SweepEndedRuns)
            }
        };
        return new Infrastructure(postgres, rabbitMq, redis);
    }

    /// <summary>
    /// Deletes the data directories of earlier runs whose process has ended: a run killed, or stopped before its servers
    /// let go of their files, leaves hundreds of megabytes behind, and on a developer's machine they add up to the whole
    /// disk. Runs still going (another test process at the same time) keep theirs.
    /// </summary>
    /// <param name="root">The folder holding the runs' directories.</param>
    public static void SweepEndedRuns(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            // run-<pid> of this harness, system-<pid>-<id> of WholeSystem
            var parts = Path.GetFileName(directory).Split('-');
            if (parts is ["run" or "system", var pid, ..] && int.TryParse(pid, out var id) && id != Environment.ProcessId && !IsRunning(id))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // another sweep got there first, or a file is still held: the next run tries again
                }
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>A server owned by one test: stop and start it again (same port, same data) to simulate an outage.</summary>
public sealed class DedicatedServer<TServer>(TServer server, string directory) : IAsyncDisposable where TServer : LocalServer
{
    public TServer Server => server;

    public string ConnectionString => server.ConnectionString;

    public Task StopAsync() => server.StopAsync();

    public Task StartAsync() => server.StartAsync(directory);

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
