using System.Diagnostics;

namespace Platform.Bench.Target;

/// <summary>
/// <c>--start-platform</c>: runs <c>dotnet run -c Release --project AppHost -- --state-dir &lt;root&gt;/.bench/apphost-&lt;environment&gt;
/// --environment &lt;environment&gt; --no-logs --no-dashboard [--only X]</c> from the repository root (the state directory is passed as an
/// absolute path; one per environment, whose PII keys differ), waits until its <c>resources.json</c> reports every project healthy, and on
/// dispose stops it with SIGTERM (then, if it has not exited within a minute, kills the process tree).
/// The AppHost's output goes to <c>.bench/apphost.log</c>.
/// </summary>
public sealed class PlatformLauncher : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly StreamWriter log;

    private PlatformLauncher(Process process, StreamWriter log, string resourcesPath)
    {
        this.process = process;
        this.log = log;
        ResourcesPath = resourcesPath;
    }

    public string ResourcesPath { get; }

    public static async Task<PlatformLauncher> StartAsync(string repoRoot, string? only, string environment, TimeSpan timeout, CancellationToken ct)
    {
        var stateDir = Path.Combine(repoRoot, ".bench", "apphost-" + environment.ToLowerInvariant());
        var resourcesPath = Path.Combine(stateDir, "resources.json");
        Directory.CreateDirectory(stateDir);
        File.Delete(resourcesPath); // never mistake a previous run's file for this one
        var logPath = Path.Combine(repoRoot, ".bench", "apphost.log");

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Absolute: `dotnet run` starts the AppHost in its project directory, where a relative .bench/apphost would land.
        // No dashboard: the figures are the services' own, without exporting telemetry to an in-process receiver on the same 2 cores.
        // Production by default: the figures are those of the services as deployed, without Development's extras (DI scope
        // validation on every resolution, the developer exception page).
        string[] args = ["run", "-c", "Release", "--project", "AppHost", "--", "--state-dir", stateDir, "--environment", environment, "--no-logs", "--no-dashboard"];
        foreach (var a in only is null ? args : [.. args, "--only", only])
        {
            start.ArgumentList.Add(a);
        }

        Log.Info($"starting the platform: dotnet {string.Join(' ', start.ArgumentList)} (in {repoRoot}, output in {logPath})");
        var writer = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new BenchException("Could not start 'dotnet run' for the AppHost.");
        process.OutputDataReceived += (_, e) => WriteLine(writer, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var launcher = new PlatformLauncher(process, writer, resourcesPath);
        try
        {
            await launcher.WaitHealthyAsync(timeout, logPath, ct);
            return launcher;
        }
        catch
        {
            await launcher.DisposeAsync();
            throw;
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, string logPath, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var polls = (int)(timeout / Poll) + 1;
        string status = "no resources.json yet";
        for (var i = 0; i < polls && clock.Elapsed < timeout; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new BenchException($"The AppHost exited with code {process.ExitCode} before the platform was healthy; see {logPath}:{Environment.NewLine}{Tail(logPath)}");
            }

            if (TryRead(out var resources, out status) && resources.AllProjectsHealthy)
            {
                Log.Info($"platform healthy after {clock.Elapsed.TotalSeconds:F0}s: {status}");
                return;
            }

            await Task.Delay(Poll, ct);
        }

        throw new BenchException($"The platform was not healthy within {timeout.TotalSeconds:F0}s ({status}); see {logPath}.");
    }

    private bool TryRead(out PlatformResources resources, out string status)
    {
        resources = null!;
        try
        {
            if (!File.Exists(ResourcesPath))
            {
                status = "no resources.json yet";
                return false;
            }

            resources = PlatformResources.Parse(File.ReadAllText(ResourcesPath));
            status = $"state {resources.State}; " + string.Join(", ", resources.Projects.Select(p => $"{p.Name} {p.State}"));
            return true;
        }
        catch (Exception ex) when (ex is IOException or BenchException or System.Text.Json.JsonException)
        {
            status = "resources.json unreadable (being written?)";
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                Log.Info("stopping the platform (SIGTERM)");
                Terminate();
                using var grace = new CancellationTokenSource(StopGrace);
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    Log.Info($"the AppHost did not exit within {StopGrace.TotalSeconds:F0}s of SIGTERM; killing its process tree");
                    process.Kill(entireProcessTree: true);
                    using var kill = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await process.WaitForExitAsync(kill.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            if (process.HasExited)
            {
                Log.Info($"platform stopped (exit code {process.ExitCode})");
            }
        }
        finally
        {
            process.Dispose();
            lock (log)
            {
                log.Dispose();
            }
        }
    }

    /// <summary>SIGTERM (which <c>dotnet run</c> forwards to the AppHost) on Unix; a tree kill elsewhere.</summary>
    private void Terminate()
    {
        if (OperatingSystem.IsWindows())
        {
            process.Kill(entireProcessTree: true);
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString() }, UseShellExecute = false });
        kill?.WaitForExit(5000);
    }

    private static void WriteLine(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (writer)
        {
            try
            {
                writer.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static string Tail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            return string.Join('\n', lines.TakeLast(30));
        }
        catch (IOException)
        {
            return "(no output)";
        }
    }
}
