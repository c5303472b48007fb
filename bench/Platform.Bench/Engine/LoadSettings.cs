namespace Platform.Bench.Engine;

/// <summary>
/// How long and how wide a <see cref="LoadRunner"/> run is, with the bounds that make it stop by itself. Closed loop
/// (the default): <see cref="Concurrency"/> workers, each calling again as soon as its call ends. Open loop (with
/// <see cref="Rate"/>): operations start on a fixed schedule whatever the ones before are doing, and
/// <see cref="Concurrency"/> only bounds how many may be in flight at once.
/// </summary>
public sealed record LoadSettings(int Concurrency, TimeSpan Warmup, TimeSpan Duration)
{
    /// <summary>The in-flight bound of an open-loop run: high enough never to pace the load, low enough to stop a runaway backlog.</summary>
    public const int OpenLoopMaxInFlight = 10_000;

    /// <summary>Open loop: operations started per second, one every 1/Rate s from the start of the warm-up; null: closed loop.</summary>
    public double? Rate { get; init; }

    /// <summary>After the measured window closes, how long in-flight operations may take before they are cancelled.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound on operations per worker, warm-up included.</summary>
    public long MaxOperationsPerWorker { get; init; } = 50_000_000;

    /// <summary>How many distinct error messages are kept.</summary>
    public int MaxErrorSamples { get; init; } = 5;
}
