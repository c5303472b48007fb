using Platform.Hosting.Processes;

namespace Platform.Hosting.Servers;

/// <summary>
/// A server started from the locally installed binaries into a data directory, on a loopback port chosen at
/// the first start and kept for restarts. Its output goes to <c>output</c>, or to <c>&lt;dir&gt;/&lt;kind&gt;.log</c>.
/// </summary>
public abstract class LocalServer(int port, Action<string>? output) : IAsyncDisposable
{
    private readonly Lock logGate = new();
    private StreamWriter? logFile;
    private ChildProcess? process;

    /// <summary>How long <see cref="StartAsync"/> waits for the server to answer.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The loopback port (0 until the first start unless given).</summary>
    public int Port { get; private set; } = port;

    public string? DataDirectory { get; private set; }

    public abstract string ConnectionString { get; }

    /// <summary>The server's main process id while it runs.</summary>
    public int? Pid => process is { HasExited: false } p ? p.Pid : null;

    public bool IsRunning => process is { HasExited: false };

    /// <summary>Completes when the running server process exits (for whatever reason).</summary>
    public Task<int> Exited => process?.Exited ?? Task.FromResult(0);

    protected abstract string Kind { get; }

    /// <summary>Grace period between the stop signal and killing the process tree.</summary>
    protected virtual TimeSpan StopGrace => TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> LogTail(int lines = 40) => process?.Tail(lines) ?? [];

    /// <summary>Starts the server and returns once it answers; throws with the tail of its log otherwise.</summary>
    public async Task StartAsync(string dataDirectory, CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Kind} is already running on port {Port}.");
        }

        DataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(DataDirectory);
        if (Port == 0)
        {
            Port = PortAllocator.GetFreePort();
        }

        OpenLogFile();
        try
        {
            await PrepareAsync(DataDirectory, cancellationToken);
            process = await ChildProcess.StartAsync(CreateSpec(DataDirectory));
            await WaitUntilReadyAsync(process, cancellationToken);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>Stops the server gracefully (then kills it after a grace period); data stays for the next start.</summary>
    public async Task StopAsync()
    {
        var running = process;
        if (running is not null)
        {
            await running.StopAsync(StopGrace);
        }

        await AfterStopAsync();
        lock (logGate)
        {
            logFile?.Dispose();
            logFile = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates files, runs one-time initialisation, starts helpers (before the server process).</summary>
    protected abstract Task PrepareAsync(string dataDirectory, CancellationToken cancellationToken);

    protected abstract ChildProcessSpec CreateSpec(string dataDirectory);

    /// <summary>True when the server answers.</summary>
    protected abstract Task<bool> ProbeAsync(CancellationToken cancellationToken);

    protected virtual Task AfterStopAsync() => Task.CompletedTask;

    /// <summary>Writes a line to the server's log (its output or the log file).</summary>
    protected void Log(string line)
    {
        if (output is not null)
        {
            output(line);
            return;
        }

        lock (logGate)
        {
            logFile?.WriteLine(line);
        }
    }

    /// <summary>Runs a helper command to completion (its output goes to the log); throws when it fails.</summary>
    protected async Task<string> RunToolAsync(ChildProcessSpec spec, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var tool = await ChildProcess.StartAsync(spec with
        {
            Output = line =>
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                Log(line);
            },
        });
        using (cancellationToken.Register(tool.KillTree))
        {
            var code = await tool.Exited;
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Delay(50, CancellationToken.None); // let the last output lines arrive
            string text;
            lock (lines)
            {
                text = string.Join('\n', lines);
            }

            return code == 0
                ? text
                : throw new InvalidOperationException($"{Path.GetFileName(spec.FileName)} {string.Join(' ', spec.Arguments)} failed with exit code {code}:\n{text}");
        }
    }

    private async Task WaitUntilReadyAsync(ChildProcess running, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (running.HasExited)
            {
                throw Failure($"exited with code {running.Exited.Result} before it was ready", running);
            }

            try
            {
                if (await ProbeAsync(cancellationToken))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // not ready yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw Failure($"did not answer within {ReadyTimeout.TotalSeconds:0} s", running);
            }

            await Task.Delay(150, cancellationToken);
        }
    }

    private InvalidOperationException Failure(string what, ChildProcess running)
    {
        var tail = string.Join('\n', running.Tail(30).Select(l => "  | " + l));
        return new InvalidOperationException($"{Kind} on 127.0.0.1:{Port} (data {DataDirectory}) {what}. Last log lines:\n{tail}");
    }

    private void OpenLogFile()
    {
        if (output is not null)
        {
            return;
        }

        lock (logGate)
        {
            logFile ??= new StreamWriter(new FileStream(Path.Combine(DataDirectory!, Kind + ".log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
    }

    /// <summary>The output callback given to the server process: the log, as configured.</summary>
    protected Action<string> OutputSink => Log;
}
