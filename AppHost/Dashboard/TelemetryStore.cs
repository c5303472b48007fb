namespace Platform.Dashboard;

/// <summary>One attribute, its value rendered as text.</summary>
public sealed record Attribute(string Key, string Value);

public sealed record SpanRecord(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    string Service,
    string? Instance,
    string Scope,
    DateTimeOffset Start,
    DateTimeOffset End,
    string Status,
    string? StatusMessage,
    IReadOnlyList<Attribute> Attributes,
    IReadOnlyList<string> Events)
{
    public double DurationMs => (End - Start).TotalMilliseconds;
}

public sealed record LogRecordEntry(
    DateTimeOffset Time,
    string Service,
    string? Instance,
    string Category,
    int SeverityNumber,
    string Severity,
    string Message,
    string? TraceId,
    string? SpanId,
    IReadOnlyList<Attribute> Attributes);

/// <summary>The latest data point of one series (service, instance, metric name, attributes).</summary>
public sealed record MetricPoint(
    string Name,
    string Description,
    string Unit,
    string Type,
    string Service,
    string? Instance,
    IReadOnlyList<Attribute> Attributes,
    DateTimeOffset Time,
    double? Value,
    ulong? Count,
    double? Sum,
    double? Min,
    double? Max);

/// <summary>A trace as the list page shows it.</summary>
public sealed record TraceSummary(
    string TraceId,
    string RootName,
    string RootService,
    IReadOnlyList<string> Services,
    int SpanCount,
    int ErrorCount,
    DateTimeOffset Start,
    double DurationMs);

/// <summary>A bounded, thread-safe buffer keeping the last <c>capacity</c> items.</summary>
public sealed class RingBuffer<T>(int capacity)
{
    private readonly T[] items = new T[Math.Max(1, capacity)];
    private readonly Lock gate = new();
    private long written;

    public long TotalWritten
    {
        get
        {
            lock (gate)
            {
                return written;
            }
        }
    }

    public void Add(T item)
    {
        lock (gate)
        {
            items[written % items.Length] = item;
            written++;
        }
    }

    public void AddRange(IEnumerable<T> source)
    {
        lock (gate)
        {
            foreach (var item in source)
            {
                items[written % items.Length] = item;
                written++;
            }
        }
    }

    /// <summary>Oldest first.</summary>
    public List<T> Snapshot()
    {
        lock (gate)
        {
            var count = (int)Math.Min(written, items.Length);
            var result = new List<T>(count);
            for (var i = written - count; i < written; i++)
            {
                result.Add(items[i % items.Length]);
            }

            return result;
        }
    }
}

/// <summary>What the OTLP receiver has seen: the last spans and log records, and the latest point of each metric series.</summary>
public sealed class TelemetryStore(int spanCapacity = 10_000, int logCapacity = 10_000, int seriesCapacity = 5_000)
{
    private readonly Dictionary<string, MetricPoint> series = new(StringComparer.Ordinal);
    private readonly Lock metricsGate = new();

    public RingBuffer<SpanRecord> Spans { get; } = new(spanCapacity);

    public RingBuffer<LogRecordEntry> Logs { get; } = new(logCapacity);

    public void SetMetric(MetricPoint point)
    {
        var key = string.Join('\u001f', [point.Service, point.Instance ?? "", point.Name, .. point.Attributes.Select(a => a.Key + "=" + a.Value)]);
        lock (metricsGate)
        {
            if (!series.ContainsKey(key) && series.Count >= seriesCapacity)
            {
                var oldest = series.MinBy(s => s.Value.Time).Key;
                series.Remove(oldest);
            }

            series[key] = point;
        }
    }

    public List<MetricPoint> Metrics()
    {
        lock (metricsGate)
        {
            return [.. series.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Service, StringComparer.Ordinal)];
        }
    }

    public List<TraceSummary> Traces(string? service = null, int limit = 200)
    {
        var traces = Spans.Snapshot().GroupBy(s => s.TraceId, StringComparer.Ordinal).Select(Summarize);
        if (!string.IsNullOrEmpty(service))
        {
            traces = traces.Where(t => t.Services.Contains(service, StringComparer.Ordinal));
        }

        return [.. traces.OrderByDescending(t => t.Start).Take(limit)];
    }

    /// <summary>The spans of one trace, ordered by start time; empty when unknown.</summary>
    public List<SpanRecord> Trace(string traceId) =>
        [.. Spans.Snapshot().Where(s => string.Equals(s.TraceId, traceId, StringComparison.OrdinalIgnoreCase)).OrderBy(s => s.Start)];

    public static TraceSummary Summarize(IEnumerable<SpanRecord> trace)
    {
        var spans = trace.OrderBy(s => s.Start).ToList();
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var root = spans.FirstOrDefault(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)) ?? spans[0];
        var start = spans.Min(s => s.Start);
        var end = spans.Max(s => s.End);
        return new TraceSummary(
            root.TraceId,
            root.Name,
            root.Service,
            [.. spans.Select(s => s.Service).Distinct(StringComparer.Ordinal)],
            spans.Count,
            spans.Count(s => s.Status == "Error"),
            start,
            (end - start).TotalMilliseconds);
    }
}
