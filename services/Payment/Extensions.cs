using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.BuildingBlocks;
using Platform.Payment.Application;
using Platform.Payment.Checks.Messaging;
using Platform.Payment.Checks;
using Platform.Payment.Collections.Messaging;
using Platform.Payment.Collections;
using Platform.Payment.Credit;
using Platform.Payment.Data;
using Platform.Payment.Exceptions.Messaging;
using Platform.Payment.Merges;
using Platform.Payment.Online;
using Platform.Payment.Payouts.Messaging;
using Platform.Payment.Payouts;
using Platform.Payment.Reconciliation;
using Platform.Payment.Recording;

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
            bus.AddInboxBatchConsumer<PaymentAllocatedConsumer, PaymentAllocated>(InboxBatching.BackgroundWindow);
            bus.AddConsumer<InvoiceIssuedConsumer>();
            bus.AddConsumer<InvoiceOverdueConsumer>();
            bus.AddConsumer<InvoicePaidConsumer>();
            bus.AddConsumer<InvoiceVoidedConsumer>();
            bus.AddInboxBatchConsumer<ReceivablesPaymentAllocatedConsumer, PaymentAllocated>(InboxBatching.BackgroundWindow);
            bus.AddConsumer<RefundApprovedConsumer>();
            bus.AddInboxBatchConsumer<RegisteredCustomersConsumer, CustomerRegistered>();
            bus.AddConsumer<KnownCustomerErasedConsumer>();
            bus.AddConsumer<KnownCustomersMergedConsumer>();
            bus.AddConsumer<CustomersMergedFollowConsumer>();
            bus.AddConsumer<CustomerOwnerChangedConsumer>();
        });
        builder.AddStagedCommits<PaymentDb>(); // RecordPayment's requests share their commits
        builder.Services.AddScoped<PaymentRecorder>();
        builder.Services.AddScoped<Survivors>().AddScoped<MergeFollower>();
        builder.Services.AddScoped(sp => new AuditTrail(sp.GetRequiredService<PaymentDb>(), sp.GetRequiredService<TimeProvider>()));
        builder.AddRecording();
        builder.AddCollections();
        builder.AddCredit();
        builder.AddOnline();
        builder.AddReconciliation();
        builder.AddPayouts();
        builder.AddChecks();
        return builder;
    }
}
