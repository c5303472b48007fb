using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Platform.Dashboard;

/// <summary>The web UI (server-rendered, everything HTML-encoded) and the JSON API.</summary>
internal static class DashboardEndpoints
{
    private const string Css = """
        body{font-family:system-ui,sans-serif;margin:0;font-size:14px;color:#1b1b1b}
        nav{background:#512bd4;padding:8px 16px}nav a{color:#fff;margin-right:18px;text-decoration:none;font-weight:600}
        main{padding:12px 16px}table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top}
        th{background:#f4f4f4}code,.mono{font-family:ui-monospace,monospace;font-size:12px}
        .err{color:#b00020;font-weight:600}.warn{color:#a15c00}.muted{color:#777}
        .bar{background:#e8e3fb;position:relative;height:14px;min-width:180px}
        .bar span{position:absolute;top:0;height:14px;background:#512bd4;min-width:2px}
        .bar span.e{background:#b00020}form{margin-bottom:10px}details summary{cursor:pointer}
        """;

    public static void Map(WebApplication app, TelemetryStore store)
    {
        app.MapGet("/", () => Results.Redirect("/traces"));
        app.MapGet("/traces", (string? service) => Html("Traces", TracesPage(store, service)));
        app.MapGet("/traces/{id}", (string id) => Html("Trace " + id, TracePage(store, id)));
        app.MapGet("/logs", (string? service, string? severity, string? traceId, int? limit) =>
            Html("Logs", LogsPage(store, service, severity, traceId, limit ?? 500)));
        app.MapGet("/metrics", (string? service, string? name) => Html("Metrics", MetricsPage(store, service, name)));

        var api = app.MapGroup("/api");
        api.MapGet("/traces", (string? service, int? limit) => Results.Json(store.Traces(service, limit ?? 200)));
        api.MapGet("/traces/{id}", (string id) =>
        {
            var spans = store.Trace(id);
            return spans.Count == 0
                ? Results.NotFound()
                : Results.Json(new { summary = TelemetryStore.Summarize(spans), spans });
        });
        api.MapGet("/logs", (string? service, string? severity, string? traceId, int? limit) =>
            Results.Json(Logs(store, service, severity, traceId, limit ?? 1000)));
        api.MapGet("/metrics", (string? service, string? name) => Results.Json(Metrics(store, service, name)));
    }

    private static List<LogRecordEntry> Logs(TelemetryStore store, string? service, string? severity, string? traceId, int limit)
    {
        var minimum = OtlpConvert.ParseSeverity(severity);
        return [.. store.Logs.Snapshot()
            .Where(l => string.IsNullOrEmpty(service) || l.Service == service)
            .Where(l => l.SeverityNumber >= minimum)
            .Where(l => string.IsNullOrEmpty(traceId) || string.Equals(l.TraceId, traceId, StringComparison.OrdinalIgnoreCase))
            .Reverse()
            .Take(Math.Max(1, limit))];
    }

    private static List<MetricPoint> Metrics(TelemetryStore store, string? service, string? name) =>
        [.. store.Metrics()
            .Where(m => string.IsNullOrEmpty(service) || m.Service == service)
            .Where(m => string.IsNullOrEmpty(name) || m.Name.Contains(name, StringComparison.OrdinalIgnoreCase))];

    private static string TracesPage(TelemetryStore store, string? service)
    {
        var traces = store.Traces(service);
        var html = new StringBuilder();
        html.Append(ServiceFilter("/traces", Services(store), service, ""));
        html.Append(CultureInfo.InvariantCulture, $"<p class=muted>{traces.Count} most recent traces ({store.Spans.TotalWritten} spans received, last {store.Spans.Snapshot().Count} kept)</p>");
        html.Append("<table><tr><th>start</th><th>root span</th><th>services</th><th>spans</th><th>errors</th><th>duration</th><th>trace id</th></tr>");
        foreach (var t in traces)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=mono>{E(Clock(t.Start))}</td><td><a href=\"/traces/{E(t.TraceId)}\">{E(t.RootService)}: {E(t.RootName)}</a></td>" +
                $"<td>{E(string.Join(", ", t.Services))}</td><td>{t.SpanCount}</td><td{(t.ErrorCount > 0 ? " class=err" : "")}>{t.ErrorCount}</td>" +
                $"<td>{Ms(t.DurationMs)}</td><td class=mono><a href=\"/traces/{E(t.TraceId)}\">{E(t.TraceId)}</a></td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static string TracePage(TelemetryStore store, string id)
    {
        var spans = store.Trace(id);
        if (spans.Count == 0)
        {
            return $"<p>Trace <code>{E(id)}</code> is not (or no longer) in memory.</p>";
        }

        var summary = TelemetryStore.Summarize(spans);
        var total = Math.Max(summary.DurationMs, 0.001);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<h2>{E(summary.RootService)}: {E(summary.RootName)}</h2><p class=mono>trace {E(summary.TraceId)} · {E(Clock(summary.Start))} · {Ms(summary.DurationMs)} · " +
            $"{summary.SpanCount} spans · services {E(string.Join(", ", summary.Services))} · <a href=\"/logs?traceId={Q(summary.TraceId)}\">logs of this trace</a></p>");
        html.Append("<table><tr><th>span</th><th>service</th><th>kind</th><th>status</th><th>duration</th><th>timeline</th></tr>");

        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => s.ParentSpanId is not null && ids.Contains(s.ParentSpanId))
            .ToLookup(s => s.ParentSpanId!, StringComparer.Ordinal);
        var stack = new Stack<(SpanRecord Span, int Depth)>(spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId))
            .OrderByDescending(s => s.Start).Select(s => (s, 0)));
        while (stack.Count > 0)
        {
            var (span, depth) = stack.Pop();
            foreach (var child in children[span.SpanId].OrderByDescending(s => s.Start))
            {
                stack.Push((child, depth + 1));
            }

            var left = (span.Start - summary.Start).TotalMilliseconds / total * 100;
            var width = span.DurationMs / total * 100;
            var error = span.Status == "Error";
            var details = new StringBuilder();
            details.Append(CultureInfo.InvariantCulture, $"<div class=mono>span {E(span.SpanId)} · scope {E(span.Scope)}{(span.Instance is null ? "" : " · instance " + E(span.Instance))}</div>");
            if (span.StatusMessage is not null)
            {
                details.Append(CultureInfo.InvariantCulture, $"<div class=err>{E(span.StatusMessage)}</div>");
            }

            details.Append(AttributeTable(span.Attributes));
            foreach (var e in span.Events)
            {
                details.Append(CultureInfo.InvariantCulture, $"<div class=mono>event {E(e)}</div>");
            }

            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td style=\"padding-left:{8 + (depth * 18)}px\"><details><summary>{E(span.Name)}</summary>{details}</details></td>" +
                $"<td>{E(span.Service)}</td><td>{E(span.Kind)}</td><td{(error ? " class=err" : "")}>{E(span.Status)}</td><td>{Ms(span.DurationMs)}</td>" +
                $"<td><div class=bar><span{(error ? " class=e" : "")} style=\"left:{left.ToString("0.##", CultureInfo.InvariantCulture)}%;width:{width.ToString("0.##", CultureInfo.InvariantCulture)}%\"></span></div></td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static string LogsPage(TelemetryStore store, string? service, string? severity, string? traceId, int limit)
    {
        var logs = Logs(store, service, severity, traceId, limit);
        var html = new StringBuilder();
        var severityOptions = string.Concat(new[] { "", "debug", "information", "warning", "error", "critical" }
            .Select(s => $"<option value=\"{E(s)}\"{(string.Equals(s, severity, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{(s.Length == 0 ? "any severity" : "≥ " + E(s))}</option>"));
        var extra = $" <select name=severity>{severityOptions}</select>" +
            (string.IsNullOrEmpty(traceId) ? "" : $" <input type=hidden name=traceId value=\"{E(traceId)}\"> trace <code>{E(traceId)}</code>");
        html.Append(ServiceFilter("/logs", Services(store), service, extra));
        html.Append(CultureInfo.InvariantCulture, $"<p class=muted>{logs.Count} most recent matching records ({store.Logs.TotalWritten} received, last {store.Logs.Snapshot().Count} kept)</p>");
        html.Append("<table><tr><th>time</th><th>service</th><th>severity</th><th>message</th><th>trace</th></tr>");
        foreach (var l in logs)
        {
            var css = l.SeverityNumber >= 17 ? " class=err" : l.SeverityNumber >= 13 ? " class=warn" : "";
            var trace = l.TraceId is null ? "" : $"<a class=mono href=\"/traces/{E(l.TraceId)}\">{E(l.TraceId[..8])}…</a>";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=mono>{E(Clock(l.Time))}</td><td>{E(l.Service)}</td><td{css}>{E(l.Severity)}</td>" +
                $"<td><details><summary>{E(l.Message)}</summary><div class=mono>{E(l.Category)}</div>{AttributeTable(l.Attributes)}</details></td><td>{trace}</td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static string MetricsPage(TelemetryStore store, string? service, string? name)
    {
        var metrics = Metrics(store, service, name);
        var html = new StringBuilder();
        html.Append(ServiceFilter("/metrics", Services(store), service, $" <input name=name placeholder=\"name contains\" value=\"{E(name ?? "")}\">"));
        html.Append(CultureInfo.InvariantCulture, $"<p class=muted>{metrics.Count} series (latest point of each)</p>");
        html.Append("<table><tr><th>metric</th><th>service</th><th>attributes</th><th>type</th><th>value</th><th>time</th></tr>");
        foreach (var m in metrics)
        {
            var value = m.Type == "histogram"
                ? $"count {m.Count}, sum {Number(m.Sum)}{(m.Min is null ? "" : ", min " + Number(m.Min))}{(m.Max is null ? "" : ", max " + Number(m.Max))}"
                : Number(m.Value);
            var attributes = string.Join(", ", m.Attributes.Select(a => a.Key + "=" + a.Value));
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td title=\"{E(m.Description)}\">{E(m.Name)}</td><td>{E(m.Service)}</td><td class=mono>{E(attributes)}</td><td>{E(m.Type)}</td>" +
                $"<td>{E(value)} {E(m.Unit)}</td><td class=mono>{E(Clock(m.Time))}</td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static List<string> Services(TelemetryStore store) =>
        [.. store.Spans.Snapshot().Select(s => s.Service).Concat(store.Logs.Snapshot().Select(l => l.Service))
            .Concat(store.Metrics().Select(m => m.Service)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static string ServiceFilter(string action, List<string> services, string? selected, string extra)
    {
        var options = string.Concat(services.Select(s => $"<option value=\"{E(s)}\"{(s == selected ? " selected" : "")}>{E(s)}</option>"));
        return $"<form method=get action=\"{E(action)}\"><select name=service><option value=\"\">all services</option>{options}</select>{extra} <button>filter</button></form>";
    }

    private static string AttributeTable(IReadOnlyList<Attribute> attributes) =>
        attributes.Count == 0
            ? ""
            : "<table>" + string.Concat(attributes.Select(a => $"<tr><td class=mono>{E(a.Key)}</td><td class=mono>{E(a.Value)}</td></tr>")) + "</table>";

    private static IResult Html(string title, string body) => Results.Content(
        $"""
        <!doctype html><html><head><meta charset="utf-8"><title>{E(title)} · platform dashboard</title><style>{Css}</style></head>
        <body><nav><a href="/traces">Traces</a><a href="/logs">Logs</a><a href="/metrics">Metrics</a></nav><main>{body}</main></body></html>
        """,
        "text/html; charset=utf-8");

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Q(string text) => E(Uri.EscapeDataString(text));

    private static string Clock(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Number(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";
}
