using Platform.Payment.Payouts.Application;
using Platform.Payment.Payouts.Jobs;
using Platform.Payment.Payouts.Providers;

namespace Platform.Payment.Payouts;

/// <summary>Refund payouts: the payout provider (the simulator when enabled), the desk and the payout job.</summary>
public static class PayoutsExtensions
{
    public static IHostApplicationBuilder AddPayouts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PayoutsOptions>().BindConfiguration(PayoutsOptions.Section)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Batch > 0 && o.MaxCheckDelay >= o.Interval,
                "Payment:Payouts: Interval must be positive, Batch at least 1, MaxCheckDelay at least Interval")
            .Validate(o => o.Simulator.SingleTransferLimit > 0 && o.Simulator.SettleAfter >= TimeSpan.Zero,
                "Payment:Payouts:Simulator: SingleTransferLimit must be positive, SettleAfter not negative")
            .ValidateOnStart();
        if (builder.Configuration.GetValue($"{PayoutsOptions.Section}:Simulator:Enabled", false))
        {
            builder.Services.AddSingleton<IPayoutProvider, PayoutSimulator>();
        }

        builder.Services.AddScoped<PayoutDesk>();
        builder.Services.AddSingleton<PayoutJob>().AddHostedService(sp => sp.GetRequiredService<PayoutJob>());
        return builder;
    }
}
