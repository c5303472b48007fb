using System.Diagnostics;

namespace Platform.Bench.Engine;

/// <summary>One closed-loop worker: calls the operation back to back until the measured window closes.</summary>
internal sealed class Worker(Func<CancellationToken, Task> operation, LoadSettings settings, long measureStart, long measureEnd)
{
    public OperationTally Tally { get; } = new(settings.MaxErrorSamples);

    public async Task RunAsync(CancellationToken ct)
    {
        for (long i = 0; i < settings.MaxOperationsPerWorker && !ct.IsCancellationRequested; i++)
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= measureEnd)
            {
                return;
            }

            var error = await OperationTally.TryAsync(operation, ct);
            if (start >= measureStart)
            {
                Tally.Record(start, Stopwatch.GetTimestamp(), error);
            }
        }
    }
}
