namespace Platform.Bench.Engine;

/// <summary>
/// What one <see cref="LoadRunner"/> run measured. Latencies are of successful operations, in milliseconds. An open-loop
/// run also has its target <see cref="Rate"/>, the most operations it had in flight at once and how late the latest
/// operation started after its scheduled time (above a few ms, the bench itself could not keep the pace).
/// </summary>
public sealed record RunResult(
    int Concurrency,
    long Operations,
    long Errors,
    double ElapsedSeconds,
    double Throughput,
    double MeanMs,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    IReadOnlyList<ErrorSample> ErrorSamples,
    int StuckWorkers,
    double? Rate = null,
    int? PeakInFlight = null,
    double? MaxStartLagMs = null);

/// <summary>One distinct error message and how many operations failed with it (only the first few distinct ones are kept).</summary>
public sealed record ErrorSample(string Message, long Count);
