using Platform.Payment.Credit.Domain;

namespace Platform.Tests.Unit.Payment.Credit;

public sealed class CreditScoringTests
{
    private readonly CreditPolicy policy = new(new CreditPolicyOptions());

    private static CreditHistory History(int paid = 10, int onTime = 10, int overdueNow = 0, double avgLate = 0, int maxLate = 0, int bounced = 0,
        decimal paidLastYear = 100_000m) =>
        new(paid, onTime, overdueNow, avgLate, maxLate, bounced, paid + bounced, 0m, paidLastYear);

    [Fact]
    public void A_customer_without_history_is_allowed_with_the_default_score_and_limit()
    {
        var assessment = policy.Assess(new CreditHistory(0, 0, 0, 0, 0, 0, 0, 0m, 0m));

        Assert.Equal((70, "B", CreditDecision.Allow, 10_000m), (assessment.Score, assessment.Grade, assessment.Decision, assessment.Limit));
    }

    [Fact]
    public void A_customer_who_always_paid_on_time_scores_full_and_gets_half_a_years_payments_as_limit()
    {
        var assessment = policy.Assess(History());

        Assert.Equal((100, "A", CreditDecision.Allow, 50_000m), (assessment.Score, assessment.Grade, assessment.Decision, assessment.Limit));
        Assert.Empty(assessment.Reasons);
    }

    [Fact]
    public void Late_payments_and_days_overdue_now_lower_the_score_to_prepayment()
    {
        // on-time 5/10 → -20; 10 days overdue now → -10; 12 days late on average → -6: 64 → allow; one bounce more → 54.
        Assert.Equal((64, CreditDecision.Allow), Score(History(onTime: 5, overdueNow: 10, avgLate: 12, maxLate: 30)));
        Assert.Equal((54, CreditDecision.RequirePrepayment), Score(History(onTime: 5, overdueNow: 10, avgLate: 12, maxLate: 30, bounced: 1)));
    }

    [Fact]
    public void Bounced_payments_and_a_long_overdue_invoice_refuse_and_give_no_limit()
    {
        var assessment = policy.Assess(History(onTime: 8, overdueNow: 75, bounced: 4));

        // on-time 8/10 → -8; overdue capped at -40; bounced capped at -30: 22.
        Assert.Equal((22, "D", CreditDecision.Refuse, 0m), (assessment.Score, assessment.Grade, assessment.Decision, assessment.Limit));
        Assert.Contains("4 bounced payments", assessment.Reasons);
        Assert.Contains("75 days overdue now", assessment.Reasons);
    }

    [Fact]
    public void Weights_and_thresholds_come_from_configuration()
    {
        var strict = new CreditPolicy(new CreditPolicyOptions { PointsPerBouncedPayment = 50, MaxBouncedPenalty = 50, RefuseBelow = 60, PrepaymentBelow = 90 });

        Assert.Equal(CreditDecision.Refuse, strict.Assess(History(bounced: 1)).Decision);
        Assert.Equal(CreditDecision.RequirePrepayment, strict.Assess(History(onTime: 7)).Decision);
    }

    private (int, CreditDecision) Score(CreditHistory history) => policy.Assess(history) is var a ? (a.Score, a.Decision) : default;
}
