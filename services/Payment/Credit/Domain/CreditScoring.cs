namespace Platform.Payment.Credit.Domain;

public enum CreditDecision
{
    Allow = 1,
    RequirePrepayment = 2,
    Refuse = 3,
}

/// <summary>What the customer's payment history shows, as of now.</summary>
/// <param name="DaysOverdueNow">The oldest open invoice's days past due (0 when nothing is overdue).</param>
/// <param name="AverageDaysLate">Mean days late over the invoices that were paid late.</param>
public sealed record CreditHistory(
    int PaidInvoices,
    int PaidOnTime,
    int DaysOverdueNow,
    double AverageDaysLate,
    int MaxDaysLate,
    int BouncedPayments,
    int Payments,
    decimal Outstanding,
    decimal PaidLast12Months)
{
    /// <summary>Nothing invoiced, paid or bounced yet: a new customer.</summary>
    public bool HasHistory => PaidInvoices > 0 || Payments > 0 || BouncedPayments > 0 || Outstanding > 0 || DaysOverdueNow > 0;

    public double OnTimeRate => PaidInvoices == 0 ? 1d : (double)PaidOnTime / PaidInvoices;
}

public sealed record CreditAssessment(int Score, string Grade, CreditDecision Decision, decimal Limit, IReadOnlyList<string> Reasons);

/// <summary>Weights and thresholds of the score (configuration Payment:Credit).</summary>
public sealed class CreditPolicyOptions
{
    public const string Section = "Payment:Credit";

    /// <summary>The score of a customer without history (allowed by default: at or above <see cref="PrepaymentBelow"/>).</summary>
    public int NoHistoryScore { get; set; } = 70;

    /// <summary>The limit of a customer without history.</summary>
    public decimal NoHistoryLimit { get; set; } = 10_000m;

    /// <summary>Points lost at an on-time rate of 0 (proportionally less for better rates).</summary>
    public double OnTimeWeight { get; set; } = 40;

    public double PointsPerDayOverdueNow { get; set; } = 1;

    public double MaxOverdueNowPenalty { get; set; } = 40;

    public double PointsPerAverageDayLate { get; set; } = 0.5;

    public double MaxLatenessPenalty { get; set; } = 20;

    public double PointsPerBouncedPayment { get; set; } = 10;

    public double MaxBouncedPenalty { get; set; } = 30;

    /// <summary>Below this score contracts are refused.</summary>
    public int RefuseBelow { get; set; } = 40;

    /// <summary>Below this score only prepaid contracts are allowed (no installments, no milestones).</summary>
    public int PrepaymentBelow { get; set; } = 60;

    /// <summary>The limit is this share of what the customer paid in the last 12 months, scaled by the score.</summary>
    public decimal LimitShareOfPaid { get; set; } = 0.5m;
}

/// <summary>The credit score (0-100), grade, decision and limit from a payment history. Pure; no I/O.</summary>
public sealed class CreditPolicy(CreditPolicyOptions options)
{
    public CreditAssessment Assess(CreditHistory history)
    {
        if (!history.HasHistory)
        {
            var fresh = Math.Clamp(options.NoHistoryScore, 0, 100);
            return new CreditAssessment(fresh, Grade(fresh), Decide(fresh), Decide(fresh) == CreditDecision.Refuse ? 0m : options.NoHistoryLimit,
                ["no payment history"]);
        }

        var reasons = new List<string>();
        var score = 100d;
        score -= Penalty((1 - history.OnTimeRate) * options.OnTimeWeight, options.OnTimeWeight,
            $"on-time rate {history.OnTimeRate:P0} ({history.PaidOnTime} of {history.PaidInvoices} paid invoices)", reasons);
        score -= Penalty(history.DaysOverdueNow * options.PointsPerDayOverdueNow, options.MaxOverdueNowPenalty,
            $"{history.DaysOverdueNow} days overdue now", reasons);
        score -= Penalty(history.AverageDaysLate * options.PointsPerAverageDayLate, options.MaxLatenessPenalty,
            $"paid {history.AverageDaysLate:0.#} days late on average (at most {history.MaxDaysLate})", reasons);
        score -= Penalty(history.BouncedPayments * options.PointsPerBouncedPayment, options.MaxBouncedPenalty,
            $"{history.BouncedPayments} bounced payments", reasons);

        var final = (int)Math.Clamp(Math.Round(score, MidpointRounding.AwayFromZero), 0, 100);
        var decision = Decide(final);
        var limit = decision == CreditDecision.Refuse ? 0m : Math.Round(history.PaidLast12Months * options.LimitShareOfPaid * final / 100m, 2);
        return new CreditAssessment(final, Grade(final), decision, limit, reasons);
    }

    private static double Penalty(double points, double max, string reason, List<string> reasons)
    {
        var applied = Math.Clamp(points, 0, max);
        if (applied > 0)
        {
            reasons.Add(reason);
        }

        return applied;
    }

    private CreditDecision Decide(int score) =>
        score < options.RefuseBelow ? CreditDecision.Refuse
        : score < options.PrepaymentBelow ? CreditDecision.RequirePrepayment
        : CreditDecision.Allow;

    private static string Grade(int score) => score switch
    {
        >= 80 => "A",
        >= 60 => "B",
        >= 40 => "C",
        _ => "D",
    };
}
