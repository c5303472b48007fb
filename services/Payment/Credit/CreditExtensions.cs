using Platform.Payment.Credit.Application;
using Platform.Payment.Credit.Domain;

namespace Platform.Payment.Credit;

public static class CreditExtensions
{
    /// <summary>The credit assessment (Payment:Credit weights and thresholds).</summary>
    public static IHostApplicationBuilder AddCredit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CreditPolicyOptions>().BindConfiguration(CreditPolicyOptions.Section)
            .Validate(o => o.RefuseBelow <= o.PrepaymentBelow, "Payment:Credit:RefuseBelow must not exceed PrepaymentBelow")
            .Validate(o => o.LimitShareOfPaid >= 0 && o.NoHistoryLimit >= 0, "Payment:Credit limits must not be negative")
            .ValidateOnStart();
        builder.Services.AddScoped<CreditAssessor>();
        return builder;
    }
}
