using System.Net.Sockets;
using System.Text;
using Platform.Hosting.Processes;

namespace Platform.Hosting.Servers;

/// <summary>Redis from the installed <c>redis-server</c>; snapshots to <c>&lt;dir&gt;/dump.rdb</c> on shutdown and reloads it at start.</summary>
public sealed class RedisServer(int port = 0, Action<string>? output = null, string executable = "redis-server")
    : LocalServer(port, output)
{
    /// <summary><c>127.0.0.1:P</c> (StackExchange.Redis configuration format).</summary>
    public override string ConnectionString => $"127.0.0.1:{Port}";

    protected override string Kind => "redis";

    protected override TimeSpan StopGrace => TimeSpan.FromSeconds(15);

    protected override Task PrepareAsync(string dataDirectory, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override ChildProcessSpec CreateSpec(string dataDirectory) => new(
        executable,
        [
            "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", dataDirectory, "--dbfilename", "dump.rdb",
            "--daemonize", "no", "--protected-mode", "no", "--appendonly", "no",
        ])
    {
        WorkingDirectory = dataDirectory,
        StopSignal = Native.SigTerm, // redis saves the snapshot and exits
        Output = OutputSink,
    };

    protected override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }
}
