using System.Net.Sockets;
using Platform.Hosting.Processes;
using RabbitMQ.Client;

namespace Platform.Hosting.Servers;

/// <summary>
/// RabbitMQ from the installed broker (no management plugin), node <c>rabbit@localhost</c> registered with an
/// epmd of its own on a private port, so several instances and a system broker never meet. Data under
/// <c>&lt;dir&gt;/mnesia</c>, kept between starts; the default <c>guest</c> user (loopback only).
/// </summary>
public sealed class RabbitMqServer(int port = 0, Action<string>? output = null, string? binDirectory = null)
    : LocalServer(port, output)
{
    public const string NodeName = "rabbit@localhost";
    private const string User = "guest";
    private const string Password = "guest";
    private readonly string bin = binDirectory ?? "/usr/lib/rabbitmq/bin";
    private ChildProcess? epmd;
    private int epmdPort;
    private int distributionPort;

    /// <summary><c>amqp://guest:guest@127.0.0.1:P/</c> (the default virtual host).</summary>
    public override string ConnectionString => $"amqp://{User}:{Password}@127.0.0.1:{Port}/";

    protected override string Kind => "rabbitmq";

    /// <summary>Creates the virtual host unless it exists, gives the user full permissions on it, and returns its connection string.</summary>
    public async Task<string> AddVirtualHostAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            throw new InvalidOperationException("RabbitMQ is not running.");
        }

        await Ctl(["add_vhost", name], cancellationToken);
        await Ctl(["set_permissions", "-p", name, User, ".*", ".*", ".*"], cancellationToken);
        return ConnectionStringFor(name);
    }

    /// <summary>The connection string for a virtual host.</summary>
    public string ConnectionStringFor(string virtualHost) => ConnectionString + Uri.EscapeDataString(virtualHost);

    protected override async Task PrepareAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var server = Path.Combine(bin, "rabbitmq-server");
        if (!File.Exists(server))
        {
            throw new InvalidOperationException($"{server} not found; run deploy/local/prerequisites.sh.");
        }

        Directory.CreateDirectory(Path.Combine(dataDirectory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(dataDirectory, "log"));
        Directory.CreateDirectory(Path.Combine(dataDirectory, "home"));
        if (epmdPort == 0)
        {
            epmdPort = PortAllocator.GetFreePort();
            distributionPort = PortAllocator.GetFreePort();
        }

        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "enabled_plugins"), "[].\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "rabbitmq-env.conf"), "", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "advanced.config"), "[].\n", cancellationToken);
        await File.WriteAllLinesAsync(
            Path.Combine(dataDirectory, "rabbitmq.conf"),
            [
                $"listeners.tcp.default = 127.0.0.1:{Port}",
                "log.console = true",
                "log.console.level = info",
                "log.file = false",
                "disk_free_limit.absolute = 50MB",
            ],
            cancellationToken);

        if (epmd is { HasExited: false })
        {
            return; // still running after the node died unexpectedly
        }

        epmd = await ChildProcess.StartAsync(new ChildProcessSpec("epmd", ["-port", epmdPort.ToString(), "-address", "127.0.0.1"])
        {
            Output = line =>
            {
                if (!line.Contains("got partial packet", StringComparison.Ordinal)) // our readiness probe below
                {
                    Log("epmd: " + line);
                }
            },
        });
        for (var i = 0; !await Answers(epmdPort); i++)
        {
            if (epmd.HasExited || i > 50)
            {
                throw new InvalidOperationException($"epmd did not start on port {epmdPort}: {string.Join('\n', epmd.Tail())}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// With RABBITMQ_ALLOW_INPUT the script execs the Erlang VM instead of staying as its parent, so the process we hold
    /// (and its parent-death signal) is the node itself; <c>-noinput</c> is passed explicitly. The VM stops gracefully on SIGTERM.
    /// </summary>
    protected override ChildProcessSpec CreateSpec(string dataDirectory) => new(Path.Combine(bin, "rabbitmq-server"), ["-noinput"])
    {
        Environment = new Dictionary<string, string?>(Environment(dataDirectory))
        {
            ["RABBITMQ_ALLOW_INPUT"] = "1",
            // No busy-waiting schedulers: on a shared or small machine their spinning takes CPU the services need.
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "+B i +sbwt none +sbwtdcpu none +sbwtdio none",
        },
        WorkingDirectory = dataDirectory,
        StopSignal = Native.SigTerm,
        Output = OutputSink,
    };

    protected override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(ConnectionString),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
            AutomaticRecoveryEnabled = false,
        };
        await using var connection = await factory.CreateConnectionAsync("apphost-readiness", cancellationToken);
        return connection.IsOpen;
    }

    protected override async Task AfterStopAsync()
    {
        if (epmd is not null)
        {
            await epmd.StopAsync(TimeSpan.FromSeconds(3));
            epmd = null;
        }
    }

    private Dictionary<string, string?> Environment(string dataDirectory) => new()
    {
        ["HOME"] = Path.Combine(dataDirectory, "home"),
        ["ERL_EPMD_PORT"] = epmdPort.ToString(),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["ERL_CRASH_DUMP"] = Path.Combine(dataDirectory, "log", "erl_crash.dump"),
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = Port.ToString(),
        ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataDirectory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(dataDirectory, "log"),
        ["RABBITMQ_LOGS"] = "-",
        ["RABBITMQ_PID_FILE"] = Path.Combine(dataDirectory, "rabbitmq.pid"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dataDirectory, "rabbitmq.conf"),
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(dataDirectory, "advanced.config"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dataDirectory, "enabled_plugins"),
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dataDirectory, "rabbitmq-env.conf"),
        ["RABBITMQ_ALLOW_INPUT"] = null,
        ["NOTIFY_SOCKET"] = null,
    };

    private Task<string> Ctl(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunToolAsync(
            new ChildProcessSpec(Path.Combine(bin, "rabbitmqctl"), ["-n", NodeName, "-q", .. arguments])
            {
                Environment = Environment(DataDirectory!),
                WorkingDirectory = DataDirectory,
            },
            cancellationToken);

    private static async Task<bool> Answers(int tcpPort)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", tcpPort);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
