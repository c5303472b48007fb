using System.Diagnostics;

namespace Platform.Bench.Engine;

/// <summary>
/// Runs an operation for a warm-up (not recorded), then a measured window: closed loop with
/// <see cref="LoadSettings.Concurrency"/> workers, or open loop at <see cref="LoadSettings.Rate"/> operations per second
/// (see <see cref="OpenLoop"/>). An operation counts when it <em>starts</em> (open loop: is due) inside the window; the
/// elapsed time runs from the start of the window to the end of the last counted operation, so throughput = operations
/// / elapsed. Errors are counted, not timed. The run always stops by itself: no operation starts after the window,
/// in-flight ones are cancelled after <see cref="LoadSettings.DrainTimeout"/>, and operations that ignore cancellation
/// are abandoned (reported as stuck).
/// </summary>
public sealed class LoadRunner(LoadSettings settings)
{
    public async Task<RunResult> RunAsync(Func<CancellationToken, Task> operation, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Concurrency, 1);
        if (settings.Rate is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0);
        }

        var t0 = Stopwatch.GetTimestamp();
        var measureStart = t0 + Ticks(settings.Warmup);
        var measureEnd = measureStart + Ticks(settings.Duration);
        var hardStop = settings.Warmup + settings.Duration + settings.DrainTimeout;

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(hardStop);
        if (settings.Rate is { } r)
        {
            var loop = new OpenLoop(operation, settings, r, measureStart, measureEnd);
            await WithinAsync(Task.Run(() => loop.RunAsync(t0, cts.Token), CancellationToken.None), hardStop);
            return Summarize([loop.Tally], loop.InFlight, measureStart) with
            {
                Rate = r,
                PeakInFlight = loop.PeakInFlight,
                MaxStartLagMs = Ms(loop.MaxStartLag),
            };
        }

        var workers = Enumerable.Range(0, settings.Concurrency)
            .Select(_ => new Worker(operation, settings, measureStart, measureEnd))
            .ToArray();
        var tasks = workers.Select(w => Task.Run(() => w.RunAsync(cts.Token), CancellationToken.None)).ToArray();
        await WithinAsync(Task.WhenAll(tasks), hardStop);
        return Summarize([.. workers.Select(w => w.Tally)], tasks.Count(t => !t.IsCompleted), measureStart);
    }

    /// <summary>Waits for <paramref name="all"/>, but no longer than 5 s past the hard stop.</summary>
    private static async Task WithinAsync(Task all, TimeSpan hardStop)
    {
        var finished = await Task.WhenAny(all, Task.Delay(hardStop + TimeSpan.FromSeconds(5), CancellationToken.None));
        if (finished == all)
        {
            await all; // surfaces nothing: every operation failure is caught and counted
        }
    }

    private RunResult Summarize(IReadOnlyList<OperationTally> tallies, int stuck, long measureStart)
    {
        var latencies = new LatencyHistogram();
        var samples = new Dictionary<string, long>(StringComparer.Ordinal);
        long errors = 0;
        long lastEnd = measureStart;
        foreach (var tally in tallies)
        {
            latencies.Add(tally.Latencies);
            errors += tally.Errors;
            lastEnd = Math.Max(lastEnd, tally.LastEnd);
            foreach (var (message, count) in tally.ErrorSamples)
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
