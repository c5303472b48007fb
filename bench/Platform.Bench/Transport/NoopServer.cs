using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Bench.Protos;

namespace Platform.Bench.Transport;

/// <summary>A bare Kestrel gRPC server inside the bench process: HTTP/2 cleartext on a free 127.0.0.1 port, no middleware.</summary>
public sealed class NoopServer(WebApplication app, Uri address) : IAsyncDisposable
{
    public Uri Address { get; } = address;

    public static async Task<NoopServer> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<NoopService>();
        await app.StartAsync(ct);

        var port = new Uri(app.Urls.First()).Port;
        return new NoopServer(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private sealed class NoopService : Noop.NoopBase
    {
        private static readonly Task<PingReply> Reply = Task.FromResult(new PingReply());

        public override Task<PingReply> Ping(PingRequest request, ServerCallContext context) => Reply;
    }
}
