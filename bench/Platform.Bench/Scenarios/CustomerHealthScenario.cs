using Grpc.Health.V1;

namespace Platform.Bench.Scenarios;

/// <summary>
/// The customer service's grpc.health.v1 Check over the shared, authenticated channel: the service's whole pipeline
/// (Kestrel, JWT validation, interceptors, telemetry) plus whatever health checks it registers, with no business logic.
/// Also the template for platform scenarios: take <see cref="BenchContext.Channel(string, string)"/> in setup, call in RunOnceAsync.
/// </summary>
public sealed class CustomerHealthScenario : IScenario
{
    private static readonly HealthCheckRequest Request = new();
    private Health.HealthClient? client;
    private BenchContext? context;

    public string Name => "customer-health";

    public string Description => "grpc.health.v1 Check on the customer service (needs --resources or --start-platform).";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Health.HealthClient(context.Channel("customer"));
        var reply = await client.CheckAsync(Request, context.CallOptions(context.Cancellation));
        if (reply.Status != HealthCheckResponse.Types.ServingStatus.Serving)
        {
            Log.Info($"warning: customer reports {reply.Status}");
        }
    }

    public Task RunOnceAsync(CancellationToken ct) => client!.CheckAsync(Request, context!.CallOptions(ct)).ResponseAsync;
}
