using Platform.Dashboard;

namespace Platform.Tests.Unit;

public sealed class TelemetryStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static SpanRecord Span(string trace, string id, string? parent, string service, int startMs, int endMs, string status = "Ok") =>
        new(trace, id, parent, service + " op", "Server", service, null, "test", T0.AddMilliseconds(startMs), T0.AddMilliseconds(endMs), status, null, [], []);

    [Fact]
    public void Ring_buffer_keeps_the_last_items_oldest_first()
    {
        var buffer = new RingBuffer<int>(3);
        buffer.AddRange(Enumerable.Range(1, 5));

        Assert.Equal([3, 4, 5], buffer.Snapshot());
        Assert.Equal(5, buffer.TotalWritten);
    }

    [Fact]
    public void Trace_summary_finds_the_root_services_errors_and_duration()
    {
        var store = new TelemetryStore();
        store.Spans.AddRange(
        [
            Span("t1", "b", "a", "billing", 40, 90, "Error"),
            Span("t1", "a", "outside", "customer", 0, 50),
            Span("t2", "x", null, "payment", 5, 6),
        ]);

        var summary = store.Traces(service: "billing").Single();

        Assert.Equal("t1", summary.TraceId);
        Assert.Equal("customer", summary.RootService);
        Assert.Equal(["customer", "billing"], summary.Services);
        Assert.Equal(2, summary.SpanCount);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(90, summary.DurationMs);
        Assert.Equal(["a", "b"], store.Trace("T1").Select(s => s.SpanId));
    }

    [Fact]
    public void Metric_series_keep_their_latest_point_and_the_oldest_series_goes_first_when_full()
    {
        var store = new TelemetryStore(seriesCapacity: 2);
        MetricPoint Point(string name, int minute, double value) => new(name, "", "", "gauge", "customer", null, [], T0.AddMinutes(minute), value, null, null, null, null);

        store.SetMetric(Point("a", 0, 1));
        store.SetMetric(Point("b", 1, 1));
        store.SetMetric(Point("a", 2, 7));
        store.SetMetric(Point("c", 3, 1));

        Assert.Equal(["a", "c"], store.Metrics().Select(m => m.Name));
        Assert.Equal(7, store.Metrics().Single(m => m.Name == "a").Value);
    }
}
