namespace Platform.Bench.Engine;

/// <summary>What one <see cref="LoadRunner"/> run measured. Latencies are of successful operations, in milliseconds.</summary>
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
    int StuckWorkers);

/// <summary>One distinct error message and how many operations failed with it (only the first few distinct ones are kept).</summary>
public sealed record ErrorSample(string Message, long Count);
