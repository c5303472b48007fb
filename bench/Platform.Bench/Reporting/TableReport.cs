using System.Globalization;
using System.Text;

namespace Platform.Bench.Reporting;

/// <summary>One row per (scenario, concurrency), with the ratio columns against the baseline, then any error samples.</summary>
public static class TableReport
{
    private static readonly string[] Headers = ["scenario", "conc", "ops", "errors", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "ratio", "p50 ratio"];

    public static string Render(BenchReport report)
    {
        var rows = report.Results.Select(r => new[]
        {
            r.Scenario,
            r.OpenLoop is { } open ? open.Rate.ToString("0.###", CultureInfo.InvariantCulture) + "/s" : I(r.Concurrency),
            I(r.Operations),
            I(r.Errors),
            r.Throughput.ToString("F0", CultureInfo.InvariantCulture),
            Ms(r.LatencyMs.P50),
            Ms(r.LatencyMs.P90),
            Ms(r.LatencyMs.P99),
            Ms(r.LatencyMs.Max),
            X(r.Ratio?.Throughput),
            X(r.Ratio?.P50),
        }).ToList();
        var widths = Headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();

        var sb = new StringBuilder();
        Line(sb, Headers, widths);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        rows.ForEach(r => Line(sb, r, widths));
        sb.AppendLine();
        sb.AppendLine(report.Settings.Baseline is { } b
            ? $"ratio = ops/s ÷ {b} ops/s at the same concurrency; p50 ratio = p50 ÷ {b} p50 (all four ratios are in the JSON)."
            : "No baseline (--baseline none): no ratios.");
        if (report.Results.Any(r => r.OpenLoop is not null))
        {
            sb.AppendLine("Rows with conc N/s are open loop: N operations due per second, latency from each one's due time; no ratio.");
            foreach (var r in report.Results.Where(r => r.OpenLoop is not null))
            {
                sb.AppendLine($"  {r.Scenario} @ {r.OpenLoop!.Rate:0.###}/s: achieved {r.OpenLoop.SucceededPerSecond:F1} successful ops/s, peak {r.OpenLoop.PeakInFlight} in flight, latest start {Ms(r.OpenLoop.MaxStartLagMs)} ms after due.");
            }
        }

        sb.AppendLine($"{report.Settings.WarmupSeconds:0.###}s warm-up + {report.Settings.DurationSeconds:0.###}s measured per row; latencies of successful operations; {report.Host.Processors} cores, {report.Host.Runtime}.");

        foreach (var r in report.Results.Where(r => r.ErrorSamples.Count > 0 || r.StuckWorkers > 0))
        {
            sb.AppendLine();
            var at = r.OpenLoop is { } open ? open.Rate.ToString("0.###", CultureInfo.InvariantCulture) + "/s" : I(r.Concurrency);
            sb.AppendLine($"{r.Scenario} @ {at}: {r.Errors} errors{(r.StuckWorkers > 0 ? $", {r.StuckWorkers} workers stuck past the drain timeout" : "")}");
            foreach (var e in r.ErrorSamples)
            {
                sb.AppendLine($"  {e.Count,8} × {e.Message}");
            }
        }

        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string[] cells, int[] widths)
    {
        var padded = cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]));
        sb.AppendLine(string.Join("  ", padded).TrimEnd());
    }

    private static string I(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms.ToString(ms < 1 ? "F3" : ms < 100 ? "F2" : "F1", CultureInfo.InvariantCulture);

    private static string X(double? ratio) => ratio is { } r ? r.ToString("F3", CultureInfo.InvariantCulture) + "x" : "-";
}
