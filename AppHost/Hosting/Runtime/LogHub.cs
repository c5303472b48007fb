using System.Globalization;

namespace Platform.Hosting.Runtime;

/// <summary>
/// Every resource's output lines: into <c>&lt;state&gt;/logs/&lt;name&gt;.log</c> (timestamped; the previous run's file
/// is kept as <c>&lt;name&gt;.log.1</c>) and, when streaming, onto the console prefixed with the padded, coloured name.
/// </summary>
internal sealed class LogHub : IDisposable
{
    public const string Self = "apphost";
    private static readonly string[] Colours = ["\u001b[36m", "\u001b[33m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[96m", "\u001b[93m", "\u001b[92m", "\u001b[95m", "\u001b[94m"];
    private const string Reset = "\u001b[0m";
    private static readonly Lock ConsoleGate = new();
    private readonly Dictionary<string, (StreamWriter Writer, string Prefix)> sinks = new(StringComparer.Ordinal);
    private readonly bool streamLogs;
    private readonly bool showOwnMessages;
    private bool disposed;

    public LogHub(string logDirectory, IReadOnlyList<string> names, bool streamLogs, bool showOwnMessages)
    {
        this.streamLogs = streamLogs;
        this.showOwnMessages = showOwnMessages;
        Directory.CreateDirectory(logDirectory);
        var colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
        var width = names.Append(Self).Max(n => n.Length);
        var all = names.Prepend(Self).Distinct().ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var path = Path.Combine(logDirectory, all[i] + ".log");
            if (File.Exists(path))
            {
                File.Move(path, path + ".1", overwrite: true);
            }

            var writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { AutoFlush = true };
            var padded = all[i].PadRight(width) + " | ";
            sinks[all[i]] = (writer, colour ? Colours[i % Colours.Length] + padded + Reset : padded);
        }
    }

    public Action<string> Sink(string name) => line => Write(name, line);

    public void Write(string name, string line)
    {
        var (writer, prefix) = sinks[name];
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        lock (writer)
        {
            if (disposed)
            {
                return;
            }

            writer.WriteLine(stamp + " " + line);
        }

        if (streamLogs || (name == Self && showOwnMessages))
        {
            lock (ConsoleGate)
            {
                try
                {
                    Console.Out.WriteLine(prefix + line);
                }
                catch (IOException)
                {
                    // the console went away (closed pipe); the log file still has it
                }
            }
        }
    }

    /// <summary>The orchestrator's own messages.</summary>
    public void Info(string message) => Write(Self, message);

    /// <summary>A block of text (the resource table) straight to the console.</summary>
    public static void Print(string text)
    {
        lock (ConsoleGate)
        {
            Console.Out.WriteLine(text);
        }
    }

    public void Dispose()
    {
        foreach (var (writer, _) in sinks.Values)
        {
            lock (writer)
            {
                disposed = true;
                writer.Dispose();
            }
        }
    }
}
