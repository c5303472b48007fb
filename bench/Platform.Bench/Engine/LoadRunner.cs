using System.Diagnostics;

namespace Platform.Bench.Engine;

/// <summary>
/// Runs an operation with <see cref="LoadSettings.Concurrency"/> closed-loop workers: a warm-up (not recorded), then a
/// measured window. An operation counts when it <em>starts</em> inside the window; the elapsed time runs from the start
/// of the window to the end of the last counted operation, so throughput = operations / elapsed. Errors are counted,
/// not timed. The run always stops by itself: no operation starts after the window, in-flight ones are cancelled after
/// <see cref="LoadSettings.DrainTimeout"/>, and workers that ignore cancellation are abandoned (reported as stuck).
/// </summary>
public sealed class LoadRunner(LoadSettings settings)
{
    public async Task<RunResult> RunAsync(Func<CancellationToken, Task> operation, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Concurrency, 1);
        var t0 = Stopwatch.GetTimestamp();
        var measureStart = t0 + Ticks(settings.Warmup);
        var measureEnd = measureStart + Ticks(settings.Duration);
        var hardStop = settings.Warmup + settings.Duration + settings.DrainTimeout;

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(hardStop);
        var workers = Enumerable.Range(0, settings.Concurrency)
            .Select(_ => new Worker(operation, settings, measureStart, measureEnd))
            .ToArray();
        var tasks = workers.Select(w => Task.Run(() => w.RunAsync(cts.Token), CancellationToken.None)).ToArray();

        var all = Task.WhenAll(tasks);
        var finished = await Task.WhenAny(all, Task.Delay(hardStop + TimeSpan.FromSeconds(5), CancellationToken.None));
        if (finished == all)
        {
            await all; // surfaces nothing: workers catch every operation failure
        }

        return Summarize(workers, tasks.Count(t => !t.IsCompleted), measureStart);
    }

    private RunResult Summarize(Worker[] workers, int stuck, long measureStart)
    {
        var latencies = new LatencyHistogram();
        var samples = new Dictionary<string, long>(StringComparer.Ordinal);
        long errors = 0;
        long lastEnd = measureStart;
        foreach (var w in workers)
        {
            latencies.Add(w.Latencies);
            errors += w.Errors;
            lastEnd = Math.Max(lastEnd, w.LastEnd);
            foreach (var (message, count) in w.ErrorSamples)
            {
                samples[message] = samples.GetValueOrDefault(message) + count;
            }
        }

        var operations = latencies.Count + errors;
        var elapsed = Math.Max(Stopwatch.GetElapsedTime(measureStart, lastEnd).TotalSeconds, 1e-9);
        return new RunResult(
            settings.Concurrency,
            operations,
            errors,
            elapsed,
            operations / elapsed,
            latencies.Count == 0 ? 0 : Ms((long)(latencies.Sum / latencies.Count)),
            Ms(latencies.ValueAtPercentile(50)),
            Ms(latencies.ValueAtPercentile(90)),
            Ms(latencies.ValueAtPercentile(99)),
            Ms(latencies.Count == 0 ? 0 : latencies.Max),
            samples.OrderByDescending(s => s.Value).Take(settings.MaxErrorSamples).Select(s => new ErrorSample(s.Key, s.Value)).ToArray(),
            stuck);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
