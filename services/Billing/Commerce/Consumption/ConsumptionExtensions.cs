using Platform.Billing.Commerce.Consumption.Application;
using Platform.Billing.Commerce.Consumption.Jobs;

namespace Platform.Billing.Commerce.Consumption;

public static class ConsumptionExtensions
{
    /// <summary>Contracts consuming prepaid money: the charge desk, usage, and the charging job (Billing:Consumption).</summary>
    public static IHostApplicationBuilder AddConsumption(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsumptionOptions>().BindConfiguration(ConsumptionOptions.Section)
            .Validate(o => o.Interval > TimeSpan.Zero, "Billing:Consumption:Interval must be positive")
            .Validate(o => o.BatchSize > 0, "Billing:Consumption:BatchSize must be positive")
            .ValidateOnStart();
        builder.Services.AddScoped<ChargeDesk>();
        builder.Services.AddScoped<UsageDesk>();
        builder.Services.AddScoped<ContractCharging>();
        // The job is always there to run on demand; it runs on its own only when enabled.
        builder.Services.AddSingleton<ContractChargingJob>();
        if (builder.Configuration.GetValue($"{ConsumptionOptions.Section}:Enabled", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ContractChargingJob>());
        }

        return builder;
    }
}
