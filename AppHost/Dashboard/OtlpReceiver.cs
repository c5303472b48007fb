using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Grpc.Core;
using Platform.Dashboard.Otlp.Collector.Logs;
using Platform.Dashboard.Otlp.Collector.Metrics;
using Platform.Dashboard.Otlp.Collector.Trace;
using Platform.Dashboard.Otlp.Common;
using Platform.Dashboard.Otlp.Metrics;
using Platform.Dashboard.Otlp.Trace;
using OtlpResource = Platform.Dashboard.Otlp.Resource.Resource;

namespace Platform.Dashboard;

/// <summary>Conversions from OTLP messages to the store's records.</summary>
internal static class OtlpConvert
{
    public static (string Service, string? Instance) Identify(OtlpResource? resource)
    {
        string? service = null;
        string? instance = null;
        foreach (var attribute in resource?.Attributes ?? [])
        {
            if (attribute.Key == "service.name")
            {
                service = Text(attribute.Value);
            }
            else if (attribute.Key == "service.instance.id")
            {
                instance = Text(attribute.Value);
            }
        }

        return (string.IsNullOrEmpty(service) ? "unknown_service" : service, instance);
    }

    public static string? Id(ByteString bytes) => bytes.IsEmpty || bytes.Span.IndexOfAnyExcept((byte)0) < 0 ? null : Convert.ToHexStringLower(bytes.Span);

    public static DateTimeOffset Time(ulong unixNano) =>
        unixNano == 0 ? DateTimeOffset.UtcNow : DateTimeOffset.UnixEpoch.AddTicks((long)(unixNano / 100));

    public static List<Attribute> Attributes(RepeatedField<KeyValue> attributes) =>
        [.. attributes.Select(a => new Attribute(a.Key, Text(a.Value)))];

    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => kv.Key + ": " + Text(kv.Value))) + "}",
        _ => "",
    };

    public static string Kind(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Internal => "Internal",
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => "Unspecified",
    };

    public static string StatusName(Platform.Dashboard.Otlp.Trace.Status? status) => status?.Code switch
    {
        Platform.Dashboard.Otlp.Trace.Status.Types.StatusCode.Ok => "Ok",
        Platform.Dashboard.Otlp.Trace.Status.Types.StatusCode.Error => "Error",
        _ => "Unset",
    };

    /// <summary>OTLP severity number (1-24) to the .NET-style level name.</summary>
    public static string SeverityName(int number) => number switch
    {
        <= 0 => "Unspecified",
        <= 4 => "Trace",
        <= 8 => "Debug",
        <= 12 => "Information",
        <= 16 => "Warning",
        <= 20 => "Error",
        _ => "Critical",
    };

    /// <summary>A minimum severity from a query string: a number (1-24) or a level name.</summary>
    public static int ParseSeverity(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => 0,
        "trace" => 1,
        "debug" => 5,
        "info" or "information" => 9,
        "warn" or "warning" => 13,
        "error" => 17,
        "fatal" or "critical" => 21,
        var n when int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
        _ => 0,
    };
}

internal sealed class TraceReceiver(TelemetryStore store) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        var spans = new List<SpanRecord>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var (service, instance) = OtlpConvert.Identify(resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = scopeSpans.Scope?.Name ?? "";
                foreach (var span in scopeSpans.Spans)
                {
                    var traceId = OtlpConvert.Id(span.TraceId);
                    var spanId = OtlpConvert.Id(span.SpanId);
                    if (traceId is null || spanId is null)
                    {
                        continue;
                    }

                    spans.Add(new SpanRecord(
                        traceId,
                        spanId,
                        OtlpConvert.Id(span.ParentSpanId),
                        span.Name,
                        OtlpConvert.Kind(span.Kind),
                        service,
                        instance,
                        scope,
                        OtlpConvert.Time(span.StartTimeUnixNano),
                        OtlpConvert.Time(span.EndTimeUnixNano),
                        OtlpConvert.StatusName(span.Status),
                        string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
                        OtlpConvert.Attributes(span.Attributes),
                        [.. span.Events.Select(e => OtlpConvert.Time(e.TimeUnixNano).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + e.Name +
                            (e.Attributes.Count == 0 ? "" : " " + string.Join(", ", e.Attributes.Select(a => a.Key + "=" + OtlpConvert.Text(a.Value)))))]));
                }
            }
        }

        store.Spans.AddRange(spans);
        return Task.FromResult(new ExportTraceServiceResponse());
    }
}

internal sealed class LogsReceiver(TelemetryStore store) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        var entries = new List<LogRecordEntry>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var (service, instance) = OtlpConvert.Identify(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var category = scopeLogs.Scope?.Name ?? "";
                foreach (var record in scopeLogs.LogRecords)
                {
                    var severity = (int)record.SeverityNumber;
                    entries.Add(new LogRecordEntry(
                        OtlpConvert.Time(record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano),
                        service,
                        instance,
                        category,
                        severity,
                        string.IsNullOrEmpty(record.SeverityText) ? OtlpConvert.SeverityName(severity) : record.SeverityText,
                        OtlpConvert.Text(record.Body),
                        OtlpConvert.Id(record.TraceId),
                        OtlpConvert.Id(record.SpanId),
                        OtlpConvert.Attributes(record.Attributes)));
                }
            }
        }

        store.Logs.AddRange(entries);
        return Task.FromResult(new ExportLogsServiceResponse());
    }
}

internal sealed class MetricsReceiver(TelemetryStore store) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var (service, instance) = OtlpConvert.Identify(resourceMetrics.Resource);
            foreach (var metric in resourceMetrics.ScopeMetrics.SelectMany(s => s.Metrics))
            {
                switch (metric.DataCase)
                {
                    case Metric.DataOneofCase.Gauge:
                        Numbers(metric, "gauge", metric.Gauge.DataPoints, service, instance);
                        break;
                    case Metric.DataOneofCase.Sum:
                        Numbers(metric, metric.Sum.IsMonotonic ? "counter" : "updown-counter", metric.Sum.DataPoints, service, instance);
                        break;
                    case Metric.DataOneofCase.Histogram:
                        foreach (var point in metric.Histogram.DataPoints)
                        {
                            store.SetMetric(new MetricPoint(
                                metric.Name, metric.Description, metric.Unit, "histogram", service, instance,
                                OtlpConvert.Attributes(point.Attributes), OtlpConvert.Time(point.TimeUnixNano),
                                null, point.Count, point.HasSum ? point.Sum : null, point.HasMin ? point.Min : null, point.HasMax ? point.Max : null));
                        }

                        break;
                    default:
                        break;
                }
            }
        }

        return Task.FromResult(new ExportMetricsServiceResponse());
    }

    private void Numbers(Metric metric, string type, RepeatedField<NumberDataPoint> points, string service, string? instance)
    {
        foreach (var point in points)
        {
            var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
            store.SetMetric(new MetricPoint(
                metric.Name, metric.Description, metric.Unit, type, service, instance,
                OtlpConvert.Attributes(point.Attributes), OtlpConvert.Time(point.TimeUnixNano),
                value, null, null, null, null));
        }
    }
}
