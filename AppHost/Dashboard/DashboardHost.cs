using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Dashboard;

public sealed class DashboardOptions
{
    /// <summary>OTLP/gRPC (HTTP/2) port on 127.0.0.1; a free port is taken when it is in use.</summary>
    public int OtlpPort { get; set; } = 4317;

    /// <summary>Web UI (HTTP/1.1) port on 127.0.0.1; a free port is taken when it is in use.</summary>
    public int DashboardPort { get; set; } = 18888;

    public int SpanCapacity { get; set; } = 10_000;

    public int LogCapacity { get; set; } = 10_000;

    public int MetricSeriesCapacity { get; set; } = 5_000;
}

/// <summary>
/// The local telemetry dashboard inside the AppHost process: an OTLP/gRPC receiver (traces, logs, metrics) into
/// bounded in-memory stores, and server-rendered pages plus JSON under <c>/api</c>.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private DashboardHost(WebApplication app, TelemetryStore store, int otlpPort, int dashboardPort)
    {
        this.app = app;
        Store = store;
        OtlpEndpoint = $"http://127.0.0.1:{otlpPort}";
        DashboardUrl = $"http://127.0.0.1:{dashboardPort}";
    }

    public TelemetryStore Store { get; }

    /// <summary>For OTEL_EXPORTER_OTLP_ENDPOINT (gRPC).</summary>
    public string OtlpEndpoint { get; }

    public string DashboardUrl { get; }

    public static async Task<DashboardHost> StartAsync(DashboardOptions options, CancellationToken cancellationToken = default)
    {
        var otlpPort = FreeOr(options.OtlpPort);
        var dashboardPort = FreeOr(options.DashboardPort, otlpPort);
        var store = new TelemetryStore(options.SpanCapacity, options.LogCapacity, options.MetricSeriesCapacity);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(DashboardHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        // The AppHost owns Ctrl+C / SIGTERM: the dashboard stops when it is disposed, after the projects have flushed.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.AddSingleton(store);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 32 * 1024 * 1024;
            o.EnableDetailedErrors = true;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, otlpPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, dashboardPort, o => o.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        app.MapGrpcService<TraceReceiver>();
        app.MapGrpcService<LogsReceiver>();
        app.MapGrpcService<MetricsReceiver>();
        DashboardEndpoints.Map(app, store);
        await app.StartAsync(cancellationToken);
        return new DashboardHost(app, store, otlpPort, dashboardPort);
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(timeout.Token);
        }

        await app.DisposeAsync();
    }

    private static int FreeOr(int preferred, int exclude = -1)
    {
        if (preferred > 0 && preferred != exclude && CanBind(preferred))
        {
            return preferred;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
