using System.Diagnostics;
using Platform.Testing;

namespace Platform.Tests.Unit;

/// <summary>The test harness deletes what ended runs left on disk, and nothing of a run still going.</summary>
public sealed class HarnessSweepTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "sweep-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Directories_of_ended_runs_are_deleted_and_those_of_live_runs_and_others_are_kept()
    {
        var ended = EndedProcessId();
        var live = Environment.ProcessId;
        var otherLiveRun = Make("run-1"); // init: another process that is running
        var endedRun = Make($"run-{ended}", withFile: true);
        var endedSystem = Make($"system-{ended}-3f2a");
        var liveRun = Make($"run-{live}");
        var liveSystem = Make($"system-{live}-9c1b");
        var unrelated = Make("keep-me");
        var notAPid = Make("run-abc");

        Infrastructure.SweepEndedRuns(root);

        Assert.False(Directory.Exists(endedRun));
        Assert.False(Directory.Exists(endedSystem));
        Assert.True(Directory.Exists(liveRun));
        Assert.True(Directory.Exists(liveSystem));
        Assert.True(Directory.Exists(otherLiveRun));
        Assert.True(Directory.Exists(unrelated));
        Assert.True(Directory.Exists(notAPid));
    }

    [Fact]
    public void A_missing_root_is_nothing_to_sweep()
    {
        Infrastructure.SweepEndedRuns(Path.Combine(root, "absent"));

        Assert.False(Directory.Exists(Path.Combine(root, "absent")));
    }

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private string Make(string name, bool withFile = false)
    {
        var directory = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(directory, "postgres"));
        if (withFile)
        {
            File.WriteAllText(Path.Combine(directory, "postgres", "PG_VERSION"), "15");
        }

        return directory;
    }

    /// <summary>The id of a process that has just ended (not yet reused: ids count up before they wrap).</summary>
    private static int EndedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
