using Grpc.Net.Client;
using Platform.Bench.Protos;
using Platform.Bench.Transport;

namespace Platform.Bench.Scenarios;

/// <summary>Transport baseline: a no-op unary call to a bare Kestrel gRPC server inside the bench process.</summary>
public sealed class GrpcNoopScenario : IScenario
{
    private static readonly PingRequest Request = new();
    private NoopServer? server;
    private GrpcChannel? channel;
    private Noop.NoopClient? client;
    private BenchContext? context;

    public string Name => "grpc-noop";

    public string Description => "Baseline: no-op unary gRPC call to an in-process Kestrel server (h2c, 127.0.0.1), one shared channel.";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        server = await NoopServer.StartAsync(context.Cancellation);
        channel = ChannelFactory.Create(server.Address);
        client = new Noop.NoopClient(channel);
        await client.PingAsync(Request, context.CallOptions(context.Cancellation));
        Log.Info($"grpc-noop: server listening on {server.Address}");
    }

    public Task RunOnceAsync(CancellationToken ct) => client!.PingAsync(Request, context!.CallOptions(ct)).ResponseAsync;

    public async Task TeardownAsync()
    {
        channel?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
