using Platform.Bench.Cli;
using Platform.Bench.Engine;

namespace Platform.Bench.Reporting;

/// <summary>Everything one invocation measured: the JSON document (camelCase) and the source of the table.</summary>
public sealed record BenchReport(DateTimeOffset StartedAt, HostInfo Host, ReportSettings Settings, IReadOnlyList<ReportRow> Results)
{
    /// <summary>Rows in run order, each compared with the baseline scenario's row at the same concurrency.</summary>
    public static BenchReport Create(DateTimeOffset startedAt, BenchOptions options, string? resources, IReadOnlyList<(string Scenario, RunResult Result)> runs)
    {
        var rows = runs.Select(r =>
        {
            // Rows compare at the same concurrency; an open-loop row has no closed-loop counterpart to compare with.
            var baseline = r.Result.Rate is not null ? null
                : runs.FirstOrDefault(b => b.Scenario == options.Baseline && b.Result.Rate is null && b.Result.Concurrency == r.Result.Concurrency).Result;
            return ReportRow.From(r.Scenario, r.Result, baseline is null ? null : Ratios.Of(options.Baseline!, r.Result, baseline));
        }).ToArray();
        var settings = new ReportSettings(options.Scenarios, options.Concurrency, options.Rates, options.Warmup.TotalSeconds, options.Duration.TotalSeconds, options.Baseline, resources);
        return new BenchReport(startedAt, HostInfo.Current(), settings, rows);
    }
}

public sealed record HostInfo(string Machine, int Processors, string Os, string Runtime)
{
    public static HostInfo Current() => new(
        Environment.MachineName,
        Environment.ProcessorCount,
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}

public sealed record ReportSettings(
    IReadOnlyList<string> Scenarios, IReadOnlyList<int> Concurrency, IReadOnlyList<double>? Rates, double WarmupSeconds, double DurationSeconds, string? Baseline, string? Resources);

/// <summary>Latencies of successful operations, in milliseconds.</summary>
public sealed record Latency(double Mean, double P50, double P90, double P99, double Max);

/// <summary>This row's figure divided by the baseline's at the same concurrency (null when the baseline's is zero).</summary>
public sealed record Ratios(string Baseline, double? Throughput, double? P50, double? P90, double? P99, double? Max)
{
    public static Ratios Of(string baseline, RunResult row, RunResult b) =>
        new(baseline, Div(row.Throughput, b.Throughput), Div(row.P50Ms, b.P50Ms), Div(row.P90Ms, b.P90Ms), Div(row.P99Ms, b.P99Ms), Div(row.MaxMs, b.MaxMs));

    private static double? Div(double x, double y) => y > 0 ? Math.Round(x / y, 4) : null;
}

/// <summary>
/// One (scenario, concurrency) or, open loop, (scenario, rate) row. For an open-loop row <see cref="Concurrency"/> is
/// the in-flight bound, and <see cref="OpenLoop"/> says what the scheduler saw.
/// </summary>
public sealed record ReportRow(
    string Scenario,
    int Concurrency,
    long Operations,
    long Errors,
    double ElapsedSeconds,
    double Throughput,
    Latency LatencyMs,
    Ratios? Ratio,
    IReadOnlyList<ErrorSample> ErrorSamples,
    int StuckWorkers,
    OpenLoopStats? OpenLoop)
{
    public static ReportRow From(string scenario, RunResult r, Ratios? ratio) => new(
        scenario,
        r.Concurrency,
        r.Operations,
        r.Errors,
        Math.Round(r.ElapsedSeconds, 3),
        Math.Round(r.Throughput, 1),
        new Latency(R(r.MeanMs), R(r.P50Ms), R(r.P90Ms), R(r.P99Ms), R(r.MaxMs)),
        ratio,
        r.ErrorSamples,
        r.StuckWorkers,
        r.Rate is { } rate ? new OpenLoopStats(rate, Math.Round((r.Operations - r.Errors) / r.ElapsedSeconds, 1), r.PeakInFlight ?? 0, R(r.MaxStartLagMs ?? 0)) : null);

    private static double R(double ms) => Math.Round(ms, 4);
}

/// <summary>
/// An open-loop row: the target rate (operations due per second), the rate achieved in successful operations (successes
/// ÷ elapsed; it falls short of the target when operations fail or a backlog stretches the run), the most operations in flight at once, and the
/// latest start after the due time in ms (latencies run from the due time, so a late start is in them anyway; a large
/// lag says the bench or the machine could not keep the pace).
/// </summary>
public sealed record OpenLoopStats(double Rate, double SucceededPerSecond, int PeakInFlight, double MaxStartLagMs);
