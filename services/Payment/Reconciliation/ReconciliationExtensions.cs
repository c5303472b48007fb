using Platform.Payment.Reconciliation.Application;
using Platform.Payment.Reconciliation.Jobs;

namespace Platform.Payment.Reconciliation;

/// <summary>Reconciliation with bank and gateway statements: import, matching, reports and the daily run.</summary>
public static class ReconciliationExtensions
{
    public static IHostApplicationBuilder AddReconciliation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.Section)
            .Validate(o => o.DateToleranceDays is >= 0 and <= 31, "Payment:Reconciliation:DateToleranceDays must be 0-31")
            .Validate(o => o.RunInterval > TimeSpan.Zero, "Payment:Reconciliation:RunInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddScoped<ReconciliationDesk>();
        builder.Services.AddSingleton<ReconciliationJob>().AddHostedService(sp => sp.GetRequiredService<ReconciliationJob>());
        return builder;
    }
}
