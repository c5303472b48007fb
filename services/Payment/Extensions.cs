using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.BuildingBlocks;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Online;
using Platform.Payment.Payouts;
using Platform.Payment.Payouts.Messaging;
using Platform.Payment.Reconciliation;

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
            bus.AddConsumer<RefundApprovedConsumer>();
        });
        builder.Services.AddScoped<PaymentRecorder>();
        builder.Services.AddScoped(sp => new AuditTrail(sp.GetRequiredService<PaymentDb>(), sp.GetRequiredService<TimeProvider>()));
        builder.AddOnline();
        builder.AddReconciliation();
        builder.AddPayouts();
        return builder;
    }
}
