using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.BuildingBlocks;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Exceptions.Messaging;
using Platform.Payment.Recording;
using Platform.Payment.VirtualAccounts.Messaging;

namespace Platform.Payment;

/// <summary>
/// The payment service host: database (migrated), bus with outbox relay, cache, health and telemetry, and the payment book.
/// </summary>
public static class Extensions
{
    public const string ServiceName = "payment";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<PaymentDb>(ServiceName, bus =>
        {
            bus.AddConsumer<CustomerRegisteredConsumer>();
            bus.AddConsumer<PaymentAllocatedConsumer>();
        });
        builder.Services.AddScoped<PaymentRecorder>();
        builder.Services.AddScoped(sp => new AuditTrail(sp.GetRequiredService<PaymentDb>(), sp.GetRequiredService<TimeProvider>()));
        builder.AddRecording();
        return builder;
    }
}
