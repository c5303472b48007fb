namespace Platform.Bench.Scenarios;

/// <summary>
/// One thing the bench can load. Add a scenario by adding one file with a class implementing this interface and a
/// public parameterless constructor: <see cref="ScenarioRegistry"/> finds it by reflection. Keep the constructor
/// cheap (the registry creates an instance to read <see cref="Name"/>); do the work in <see cref="SetupAsync"/>.
/// Lifecycle per invocation: <see cref="SetupAsync"/> once (before any scenario is run, so a misconfiguration fails
/// fast), <see cref="RunOnceAsync"/> concurrently from every worker, for every concurrency level, then
/// <see cref="TeardownAsync"/> once, even after a failure.
/// </summary>
public interface IScenario
{
    /// <summary>The name used on the command line, lower-case with dashes (e.g. <c>register-customer</c>).</summary>
    string Name { get; }

    /// <summary>One line for <c>--list</c> and <c>--help</c>.</summary>
    string Description => "";

    /// <summary>
    /// Null for a closed-loop scenario (run once per <c>--concurrency</c> level). An open-loop scenario answers the
    /// operations per second it runs at unless <c>--rate</c> says otherwise; it is run once per rate instead.
    /// </summary>
    double? DefaultRate => null;

    /// <summary>Prepares shared state (clients, tables, seed data). Throw <see cref="BenchException"/> for a clear message.</summary>
    Task SetupAsync(BenchContext context);

    /// <summary>One operation; called concurrently. Throwing counts an error; returning counts a success and its latency.</summary>
    Task RunOnceAsync(CancellationToken ct);

    /// <summary>Releases what <see cref="SetupAsync"/> made (drop tables, dispose clients).</summary>
    Task TeardownAsync() => Task.CompletedTask;
}
