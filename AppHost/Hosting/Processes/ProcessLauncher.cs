using System.Collections.Concurrent;
using System.Diagnostics;

namespace Platform.Hosting.Processes;

/// <summary>
/// Starts processes from one long-lived thread (the kernel sends the parent-death signal when the forking
/// thread ends, so thread-pool threads must not fork) and stops every child still alive when this process exits.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = [];
    private static readonly ConcurrentDictionary<ChildProcess, byte> Live = new();

    static ProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "apphost-process-launcher" };
        thread.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => StopAll();
    }

    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    public static void Track(ChildProcess child)
    {
        Live[child] = 0;
        if (child.HasExited)
        {
            Live.TryRemove(child, out _);
        }
    }

    public static void Untrack(ChildProcess child) => Live.TryRemove(child, out _);

    /// <summary>Last resort when the orchestrator exits without stopping its children: stop signal, 3 s, then kill.</summary>
    public static void StopAll()
    {
        var children = Live.Keys.ToList();
        if (children.Count == 0)
        {
            return;
        }

        foreach (var child in children)
        {
            child.Signal(child.StopSignal);
        }

        Task.WaitAll(children.Select(c => c.WaitAsync(TimeSpan.FromSeconds(3))).ToArray());
        foreach (var child in children.Where(c => !c.HasExited))
        {
            child.KillTree();
        }
    }

    /// <summary>SIGKILL to every child's process tree, at once.</summary>
    public static void KillAll()
    {
        foreach (var child in Live.Keys.ToList())
        {
            child.KillTree();
        }
    }

    private static void Run()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
