using System.Diagnostics;

namespace Platform.Bench.Engine;

/// <summary>One closed-loop worker: calls the operation back to back until the measured window closes.</summary>
internal sealed class Worker(Func<CancellationToken, Task> operation, LoadSettings settings, long measureStart, long measureEnd)
{
    public LatencyHistogram Latencies { get; } = new();

    public long Errors { get; private set; }

    /// <summary>Distinct error messages with their counts, at most <see cref="LoadSettings.MaxErrorSamples"/>.</summary>
    public Dictionary<string, long> ErrorSamples { get; } = new(StringComparer.Ordinal);

    /// <summary>Stopwatch timestamp at which the last measured operation ended.</summary>
    public long LastEnd { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        for (long i = 0; i < settings.MaxOperationsPerWorker && !ct.IsCancellationRequested; i++)
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= measureEnd)
            {
                return;
            }

            string? error = null;
            try
            {
                await operation(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                error = "cancelled: still running at the drain timeout (or on Ctrl+C)";
            }
            catch (Exception ex)
            {
                error = Describe(ex);
            }

            var end = Stopwatch.GetTimestamp();
            if (start < measureStart)
            {
                continue;
            }

            LastEnd = end;
            if (error is null)
            {
                Latencies.Record(end - start);
            }
            else
            {
                Errors++;
                if (ErrorSamples.TryGetValue(error, out var n))
                {
                    ErrorSamples[error] = n + 1;
                }
                else if (ErrorSamples.Count < settings.MaxErrorSamples)
                {
                    ErrorSamples[error] = 1;
                }
            }
        }
    }

    private static string Describe(Exception ex)
    {
        var inner = ex is AggregateException { InnerException: { } first } ? first : ex;
        var message = inner.Message.ReplaceLineEndings(" ");
        return $"{inner.GetType().Name}: {(message.Length > 300 ? message[..300] + "…" : message)}";
    }
}
