using System.Runtime.InteropServices;

namespace Platform.Hosting.Processes;

/// <summary>The few libc calls .NET has no managed API for (Linux signal numbers).</summary>
internal static partial class Native
{
    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    /// <summary>Sends a signal; false when the process no longer exists.</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && kill(pid, signal) == 0;

    public static string SignalName(int signal) => signal switch
    {
        SigInt => "INT",
        SigQuit => "QUIT",
        SigKill => "KILL",
        _ => "TERM",
    };

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();
}
