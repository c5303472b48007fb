using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.Payment.Checks.Application;
using Platform.Payment.Checks.Jobs;
using Platform.ServiceDefaults.Clients;

namespace Platform.Payment.Checks;

public static class ChecksExtensions
{
    /// <summary>
    /// The payer, invoice and contract checks (Payment:Checks), the customer directory its consumers keep, and the clients of the
    /// customer service and billing's Invoices and Contracts APIs. The clients do not retry on their own: a lookup waits at most
    /// <see cref="ChecksOptions.LookupTimeout"/>, and the write-off's call to billing is retried by the collections job.
    /// </summary>
    public static IHostApplicationBuilder AddChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChecksOptions>().BindConfiguration(ChecksOptions.Section)
            .Validate(o => o.LookupTimeout > TimeSpan.Zero, "Payment:Checks:LookupTimeout must be positive")
            .Validate(o => o.RecheckInterval > TimeSpan.Zero && o.RecheckBatchSize > 0, "Payment:Checks:RecheckInterval and RecheckBatchSize must be positive")
            .ValidateOnStart();
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the one way to opt a client out of the defaults
        builder.Services.AddPlatformGrpcClient<Customers.CustomersClient>("customer").RemoveAllResilienceHandlers();
        builder.Services.AddPlatformGrpcClient<Invoices.InvoicesClient>("billing").RemoveAllResilienceHandlers();
        builder.Services.AddPlatformGrpcClient<Platform.Contracts.Billing.V1.Contracts.ContractsClient>("billing").RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddScoped<CustomerDirectory>();
        builder.Services.AddScoped<PayerCheck>();
        builder.Services.AddScoped<InvoiceCheck>();
        builder.Services.AddScoped<ContractCheck>();
        builder.Services.AddScoped<PayerRecheck>();
        builder.Services.AddSingleton<PayerRecheckJob>();
        if (builder.Configuration.GetValue($"{ChecksOptions.Section}:{nameof(ChecksOptions.RecheckEnabled)}", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PayerRecheckJob>());
        }

        return builder;
    }
}
