namespace Platform.Bench.Engine;

/// <summary>
/// What one source of operations measured: latencies of the successes, the errors with their first few distinct
/// messages, and when the last measured operation ended. Not thread-safe: one per closed-loop worker, or one behind a
/// lock for the open-loop scheduler.
/// </summary>
internal sealed class OperationTally(int maxErrorSamples)
{
    public LatencyHistogram Latencies { get; } = new();

    public long Errors { get; private set; }

    /// <summary>Distinct error messages with their counts, at most <c>maxErrorSamples</c>.</summary>
    public Dictionary<string, long> ErrorSamples { get; } = new(StringComparer.Ordinal);

    /// <summary>Stopwatch timestamp at which the last measured operation ended.</summary>
    public long LastEnd { get; private set; }

    /// <summary>One measured operation from <paramref name="start"/> to <paramref name="end"/> (Stopwatch ticks); <paramref name="error"/> null for a success.</summary>
    public void Record(long start, long end, string? error)
    {
        LastEnd = Math.Max(LastEnd, end);
        if (error is null)
        {
            Latencies.Record(end - start);
            return;
        }

        Errors++;
        if (ErrorSamples.TryGetValue(error, out var n))
        {
            ErrorSamples[error] = n + 1;
        }
        else if (ErrorSamples.Count < maxErrorSamples)
        {
            ErrorSamples[error] = 1;
        }
    }

    /// <summary>Runs <paramref name="operation"/> and answers null, or the description of what it threw.</summary>
    public static async Task<string?> TryAsync(Func<CancellationToken, Task> operation, CancellationToken ct)
    {
        try
        {
            await operation(ct);
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return "cancelled: still running at the drain timeout (or on Ctrl+C)";
        }
        catch (Exception ex)
        {
            return Describe(ex);
        }
    }

    private static string Describe(Exception ex)
    {
        var inner = ex is AggregateException { InnerException: { } first } ? first : ex;
        var message = inner.Message.ReplaceLineEndings(" ");
        return $"{inner.GetType().Name}: {(message.Length > 300 ? message[..300] + "…" : message)}";
    }
}
