using Platform.Billing.Application;
using Platform.Billing.Commerce.Consumption;
using Platform.Billing.Commerce;
using Platform.Billing.Data;
using Platform.Billing.Messaging;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.BuildingBlocks;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Clients;

namespace Platform.Billing;

public static class Extensions
{
    public const string ServiceName = "billing";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<BillingDb>(ServiceName, bus =>
        {
            bus.AddInboxBatchConsumer<CustomerRegisteredConsumer, CustomerRegistered>();
            bus.AddInboxBatchConsumer<PaymentReceivedConsumer, PaymentReceived>();
            bus.AddConsumer<PaymentReversedConsumer>();
            bus.AddConsumer<RefundPaidConsumer>();
            bus.AddConsumer<RefundFailedConsumer>();
            bus.AddConsumer<LoyaltyCreditRedeemedConsumer>();
            bus.AddConsumer<CustomersMergedConsumer>();
        });
        builder.Services.AddOptions<BillingOptions>().BindConfiguration(BillingOptions.Section)
            .Validate(o => o.RiskReserveShare is >= 0 and < 1, "Billing:RiskReserveShare must be in [0, 1)")
            .Validate(o => o.PrepaidValidityDays >= 0, "Billing:PrepaidValidityDays must not be negative")
            .Validate(o => o.LedgerWriters is >= 1 and <= 32, "Billing:LedgerWriters must be 1-32")
            .Validate(o => o.LedgerBatch is >= 1 and <= 1000, "Billing:LedgerBatch must be 1-1000")
            .ValidateOnStart();
        builder.Services.AddPlatformGrpcClient<Customers.CustomersClient>("customer");
        builder.Services.AddScoped<PrepaidAccountBook>();
        builder.Services.AddScoped<LedgerStore>();
        builder.Services.AddSingleton<LedgerQueue>().AddHostedService(sp => sp.GetRequiredService<LedgerQueue>());
        builder.Services.AddScoped<LedgerQueries>();
        builder.Services.AddScoped<CustomerMerges>();
        builder.Services.AddScoped(sp => new AuditTrail(sp.GetRequiredService<BillingDb>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddScoped<StagedRelease>();
        builder.Services.AddScoped<RefundDesk>();
        builder.Services.AddScoped<AdjustmentDesk>();
        builder.Services.AddScoped<PrepaidWatch>();
        builder.Services.AddScoped<StatementDesk>();
        builder.Services.AddSingleton<PrepaidWatchJob>().AddHostedService(sp => sp.GetRequiredService<PrepaidWatchJob>());
        builder.Services.AddSingleton<LedgerCheckJob>().AddHostedService(sp => sp.GetRequiredService<LedgerCheckJob>());
        builder.AddCommerce();
        builder.AddConsumption();
        return builder;
    }
}
