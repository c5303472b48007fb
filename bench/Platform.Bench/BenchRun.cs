using Platform.Bench.Cli;
using Platform.Bench.Engine;
using Platform.Bench.Reporting;
using Platform.Bench.Scenarios;
using Platform.Bench.Target;

namespace Platform.Bench;

/// <summary>One invocation: start the platform if asked, set every scenario up, run each at each concurrency, tear down, report.</summary>
public static class BenchRun
{
    public static async Task<int> ExecuteAsync(BenchOptions options, CancellationToken ct)
    {
        options = WithBaseline(options); // unknown names fail here, before anything starts

        var startedAt = DateTimeOffset.UtcNow;
        var runs = new List<(string, RunResult)>();
        PlatformLauncher? platform = null;
        var resourcesPath = options.ResourcesPath;
        try
        {
            if (options.StartPlatform)
            {
                platform = await PlatformLauncher.StartAsync(RepoRoot.Find(options.RepoRoot), options.Only, options.EnvironmentName ?? "Production", options.PlatformTimeout, ct);
                resourcesPath = platform.ResourcesPath;
            }

            var resources = resourcesPath is null ? null : PlatformResources.Load(resourcesPath);
            if (resources is not null && resources.State != "running")
            {
                Log.Info($"warning: {resourcesPath} says the platform is '{resources.State}', not running");
            }

            await using var context = new BenchContext(options, resources, ct);
            await RunAllAsync(options, context, runs, ct);
        }
        finally
        {
            if (platform is not null)
            {
                await platform.DisposeAsync();
            }
        }

        var report = BenchReport.Create(startedAt, options, resourcesPath, runs);
        if (options.JsonPath is not null)
        {
            await JsonReport.WriteAsync(report, options.JsonPath);
            Log.Info($"results written to {Path.GetFullPath(options.JsonPath)}");
        }

        Console.Out.Write(options.Format == OutputFormat.Json ? JsonReport.Serialize(report) + Environment.NewLine : TableReport.Render(report));
        return ct.IsCancellationRequested ? 130 : runs.Any(r => r.Item2.Errors > 0 || r.Item2.StuckWorkers > 0) ? 2 : 0;
    }

    private static async Task RunAllAsync(BenchOptions options, BenchContext context, List<(string, RunResult)> runs, CancellationToken ct)
    {
        var ready = new List<IScenario>();
        try
        {
            foreach (var name in options.Scenarios)
            {
                var scenario = ScenarioRegistry.Create(name);
                Log.Info($"setting up {scenario.Name}");
                ready.Add(scenario);
                try
                {
                    await scenario.SetupAsync(context);
                }
                catch (Exception ex) when (ex is not (BenchException or OperationCanceledException))
                {
                    throw new BenchException($"{scenario.Name}: setup failed: {ex.GetType().Name}: {ex.Message}");
                }
            }

            foreach (var scenario in ready)
            {
                foreach (var (label, settings) in Rows(options, scenario))
                {
                    if (ct.IsCancellationRequested)
                    {
                        Log.Info("cancelled; reporting the rows completed so far");
                        return;
                    }

                    Log.Info($"{scenario.Name} @ {label}: {options.Warmup.TotalSeconds:0.###}s warm-up, {options.Duration.TotalSeconds:0.###}s measured");
                    var result = await new LoadRunner(settings).RunAsync(scenario.RunOnceAsync, ct);
                    if (!ct.IsCancellationRequested)
                    {
                        runs.Add((scenario.Name, result));
                        Log.Info($"{scenario.Name} @ {label}: {result.Operations} ops, {result.Errors} errors, {result.Throughput:F0} ops/s, p50 {result.P50Ms:F3} ms, p99 {result.P99Ms:F3} ms");
                    }
                }
            }
        }
        finally
        {
            foreach (var scenario in Enumerable.Reverse(ready))
            {
                try
                {
                    await scenario.TeardownAsync();
                }
                catch (Exception ex)
                {
                    Log.Info($"{scenario.Name}: teardown failed: {ex.Message}");
                }
            }
        }
    }

    /// <summary>One row per --concurrency level (closed loop), or per --rate for an open-loop scenario, with its label for the log.</summary>
    private static IEnumerable<(string Label, LoadSettings Settings)> Rows(BenchOptions options, IScenario scenario)
    {
        var drain = options.OperationTimeout + TimeSpan.FromSeconds(5);
        if (scenario.DefaultRate is { } defaultRate)
        {
            return (options.Rates ?? [defaultRate]).Select(rate => ($"{rate:0.###}/s", new LoadSettings(LoadSettings.OpenLoopMaxInFlight, options.Warmup, options.Duration)
            {
                Rate = rate,
                DrainTimeout = drain,
            }));
        }

        return options.Concurrency.Select(concurrency => (concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture), new LoadSettings(concurrency, options.Warmup, options.Duration)
        {
            DrainTimeout = drain,
        }));
    }

    /// <summary>Canonical scenario names; ratios need the baseline measured in the same invocation: run it first if it was not asked for.</summary>
    private static BenchOptions WithBaseline(BenchOptions options)
    {
        var scenarios = options.Scenarios.Select(n => ScenarioRegistry.Create(n).Name).Distinct().ToArray(); // canonical names
        if (options.Baseline is null)
        {
            return options with { Scenarios = scenarios };
        }

        var baseline = ScenarioRegistry.Create(options.Baseline).Name;
        if (scenarios.Contains(baseline))
        {
            return options with { Scenarios = scenarios, Baseline = baseline };
        }

        Log.Info($"adding the baseline {baseline} to the scenarios (--baseline none to skip it)");
        return options with { Scenarios = [baseline, .. scenarios], Baseline = baseline };
    }
}
