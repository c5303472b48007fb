using Platform.Payment.Data;
using Platform.BuildingBlocks;

namespace Platform.Payment;

/// <summary>
/// The payment service host: database (migrated), bus with outbox relay, cache, health and telemetry.
/// Its business capabilities and gRPC API are not built yet (README, "Not built yet").
/// </summary>
public static class Extensions
{
    public const string ServiceName = "payment";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<PaymentDb>(ServiceName);
        return builder;
    }
}
