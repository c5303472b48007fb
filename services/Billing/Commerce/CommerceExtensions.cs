using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Jobs;

namespace Platform.Billing.Commerce;

public static class CommerceExtensions
{
    /// <summary>The catalog, quotes, contracts, entitlements and invoices of billing, with the invoice due scan.</summary>
    public static IHostApplicationBuilder AddCommerce(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CommerceOptions>().BindConfiguration(CommerceOptions.Section);
        builder.Services.AddScoped<DocumentNumbers>();
        builder.Services.AddScoped<CatalogService>();
        builder.Services.AddScoped<QuoteService>();
        builder.Services.AddScoped<ContractService>();
        builder.Services.AddScoped<EntitlementService>();
        builder.Services.AddScoped<InvoiceService>();
        builder.Services.AddScoped<ContractRefunds>();
        builder.Services.AddScoped<InvoiceDueScan>();
        builder.Services.AddHostedService<InvoiceDueScanService>();
        builder.Services.AddScoped<ContractSchedule>();
        builder.Services.AddSingleton<ContractScheduleJob>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ContractScheduleJob>());
        return builder;
    }
}
