using System.Diagnostics;

namespace Platform.Bench.Engine;

/// <summary>
/// The open-loop scheduler: operation <em>i</em> is due at <c>start + i / rate</c> and is started then, however many
/// earlier ones are still running (up to <see cref="LoadSettings.Concurrency"/> in flight). Its latency runs from the
/// time it was <em>due</em>, not from when it actually started, so a late start (the bench or the machine falling
/// behind, or the in-flight bound reached) adds to the latency instead of hiding it (no coordinated omission).
/// Operations due in the warm-up run but are not recorded; the last one is due just before the measured window closes.
/// </summary>
internal sealed class OpenLoop(Func<CancellationToken, Task> operation, LoadSettings settings, double rate, long measureStart, long measureEnd)
{
    private readonly Lock gate = new();
    private int inFlight;

    public OperationTally Tally { get; } = new(settings.MaxErrorSamples);

    public int PeakInFlight { get; private set; }

    /// <summary>The latest start after its due time, in Stopwatch ticks.</summary>
    public long MaxStartLag { get; private set; }

    /// <summary>Operations started and not yet ended (the runner reports them as stuck if they outlive the run).</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Starts every operation on schedule, then waits for the ones still running (until <paramref name="ct"/>).</summary>
    public async Task RunAsync(long t0, CancellationToken ct)
    {
        var interval = Stopwatch.Frequency / rate;
        var running = new List<Task>();
        for (long i = 0; !ct.IsCancellationRequested; i++)
        {
            var due = t0 + (long)(i * interval);
            if (due >= measureEnd)
            {
                break;
            }

            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                // Timers are coarse (about 1 ms); waking late only makes the next few operations start back to back.
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            while (InFlight >= settings.Concurrency && !ct.IsCancellationRequested)
            {
                await Task.Delay(1, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // the bound reached: later starts show as latency
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            Interlocked.Increment(ref inFlight); // counted here, so the bound holds before the task runs

            running.Add(Task.Run(() => RunOneAsync(due, ct), CancellationToken.None));
            if (running.Count >= 4096)
            {
                running.RemoveAll(t => t.IsCompleted); // keeps the list as short as what is in flight
            }
        }

        await Task.WhenAll(running);
    }

    private async Task RunOneAsync(long due, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        lock (gate)
        {
            PeakInFlight = Math.Max(PeakInFlight, InFlight);
            if (due >= measureStart)
            {
                MaxStartLag = Math.Max(MaxStartLag, started - due);
            }
        }

        try
        {
            var error = await OperationTally.TryAsync(operation, ct);
            var end = Stopwatch.GetTimestamp();
            if (due >= measureStart)
            {
                lock (gate)
                {
                    Tally.Record(due, end, error);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }
}
