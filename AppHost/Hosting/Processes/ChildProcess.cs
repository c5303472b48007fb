using System.Diagnostics;

namespace Platform.Hosting.Processes;

/// <summary>
/// A started child: in its own session (Ctrl+C on the terminal reaches only the orchestrator, which stops
/// children in order), with a parent-death signal (the kernel stops it if the orchestrator dies), its
/// output lines forwarded and the last ones kept for error messages.
/// </summary>
public sealed class ChildProcess
{
    private const string Setsid = "/usr/bin/setsid";
    private const string Setpriv = "/usr/bin/setpriv";
    private readonly Process process;
    private readonly TaskCompletionSource<int> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> tail = new();
    private readonly Action<string>? output;

    private ChildProcess(Process process, ChildProcessSpec spec)
    {
        this.process = process;
        output = spec.Output;
        StopSignal = spec.StopSignal;
        Name = Path.GetFileName(spec.FileName);
    }

    public string Name { get; }

    public int Pid { get; private set; }

    public int StopSignal { get; }

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited => exited.Task;

    public bool HasExited => exited.Task.IsCompleted;

    public static async Task<ChildProcess> StartAsync(ChildProcessSpec spec)
    {
        var info = BuildStartInfo(spec);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, spec);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child.OnExited();
        await ProcessLauncher.StartAsync(process);
        child.Pid = process.Id;
        ProcessLauncher.Track(child);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The last lines the process printed.</summary>
    public IReadOnlyList<string> Tail(int lines = 40)
    {
        lock (tail)
        {
            return tail.Skip(Math.Max(0, tail.Count - lines)).ToList();
        }
    }

    public bool Signal(int signal) => !HasExited && Native.Signal(Pid, signal);

    /// <summary>SIGKILL to the process and all its descendants.</summary>
    public void KillTree()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }

    /// <summary>True when the process exited within the timeout.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(Exited, Task.Delay(timeout));
        return done == Exited;
    }

    /// <summary>The stop signal, then the whole tree is killed if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }

        Signal(StopSignal);
        if (!await WaitAsync(grace))
        {
            KillTree();
            await WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static ProcessStartInfo BuildStartInfo(ChildProcessSpec spec)
    {
        var command = new List<string>();
        if (File.Exists(Setsid))
        {
            command.Add(Setsid);
        }

        var runAs = spec.RunAsUser is not null && Native.IsRoot;
        if (File.Exists(Setpriv))
        {
            command.Add(Setpriv);
            if (runAs)
            {
                command.AddRange([$"--reuid={spec.RunAsUser}", $"--regid={spec.RunAsUser}", "--init-groups"]);
            }

            command.AddRange(["--pdeathsig", Native.SignalName(spec.StopSignal), "--"]);
        }
        else if (runAs)
        {
            throw new InvalidOperationException($"{Setpriv} (util-linux) is needed to run {spec.FileName} as {spec.RunAsUser}.");
        }

        command.Add(spec.FileName);
        command.AddRange(spec.Arguments);
        var info = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = spec.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in spec.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        return info;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (tail)
        {
            tail.Enqueue(line);
            if (tail.Count > 200)
            {
                tail.Dequeue();
            }
        }

        try
        {
            output?.Invoke(line);
        }
        catch (ObjectDisposedException)
        {
            // the log sink closed during shutdown
        }
    }

    private void OnExited()
    {
        int code;
        try
        {
            code = process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        exited.TrySetResult(code);
        ProcessLauncher.Untrack(this);
    }
}
