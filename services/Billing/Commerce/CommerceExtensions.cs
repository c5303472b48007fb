using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Jobs;
using Platform.Contracts.Payment.V1;
using Platform.ServiceDefaults.Clients;

namespace Platform.Billing.Commerce;

public static class CommerceExtensions
{
    /// <summary>The catalog, quotes, contracts (signed after payment's credit check), entitlements and invoices of billing, with the invoice due scan.</summary>
    public static IHostApplicationBuilder AddCommerce(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CommerceOptions>().BindConfiguration(CommerceOptions.Section)
            .Validate(o => o.InvoiceScanBatchSize > 0 && o.ScheduleBatchSize > 0, "Billing:Commerce:InvoiceScanBatchSize and ScheduleBatchSize must be at least 1")
            .ValidateOnStart();
        builder.Services.AddScoped<DocumentNumbers>();
        builder.Services.AddScoped<CatalogService>();
        builder.Services.AddScoped<QuoteService>();
        // Signing waits for the credit check with its own short deadline and decides itself what an unreachable payment
        // service means (Billing:Commerce:CreditCheck:WhenUnavailable), so the default retries would only hold the signature.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the one way to opt a client out of the defaults
        builder.Services.AddPlatformGrpcClient<Credit.CreditClient>("payment").RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddScoped<CreditCheck>();
        builder.Services.AddScoped<ContractService>();
        builder.Services.AddScoped<EntitlementService>();
        builder.Services.AddScoped<InvoiceService>();
        builder.Services.AddScoped<DepositReversals>();
        builder.Services.AddScoped<ContractRefunds>();
        builder.Services.AddScoped<InvoiceDueScan>();
        builder.Services.AddHostedService<InvoiceDueScanService>();
        builder.Services.AddScoped<ContractSchedule>();
        builder.Services.AddSingleton<ContractScheduleJob>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ContractScheduleJob>());
        return builder;
    }
}
