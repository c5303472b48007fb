namespace Platform.Bench.Engine;

/// <summary>How long and how wide a <see cref="LoadRunner"/> run is, with the bounds that make it stop by itself.</summary>
public sealed record LoadSettings(int Concurrency, TimeSpan Warmup, TimeSpan Duration)
{
    /// <summary>After the measured window closes, how long in-flight operations may take before they are cancelled.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound on operations per worker, warm-up included.</summary>
    public long MaxOperationsPerWorker { get; init; } = 50_000_000;

    /// <summary>How many distinct error messages are kept.</summary>
    public int MaxErrorSamples { get; init; } = 5;
}
