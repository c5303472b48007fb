using Platform.Customer.Domain;

namespace Platform.Customer.Engagement.Domain;

/// <summary>A half-open period [Start, End).</summary>
public sealed record Period(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The period of equal length just before, for period-over-period comparison.</summary>
    public Period Previous => new(Start - (End - Start), Start);

    public bool Contains(DateTimeOffset at) => at >= Start && at < End;
}

public sealed record StageMove(Guid CustomerId, LifecycleStage From, LifecycleStage To, DateTimeOffset At);

public sealed record Purchase(Guid CustomerId, decimal Amount, DateTimeOffset At);

public sealed record Score(Guid CustomerId, int Value, DateTimeOffset At);

public sealed record Kpis(
    int CustomerCount,
    int CustomerCountAtStart,
    int NewCustomers,
    int ChurnedCustomers,
    double GrowthRate,
    double ChurnRate,
    decimal AveragePurchaseAmount,
    int Purchases,
    double PurchaseFrequency,
    double Satisfaction,
    int SurveyAnswers);

/// <summary>The insight KPIs of a set of customers over a period, from their lifecycle moves, payments and survey scores.</summary>
public static class InsightCalculator
{
    public static Kpis Compute(IReadOnlySet<Guid> customers, IEnumerable<StageMove> moves, IEnumerable<Purchase> purchases,
        IEnumerable<Score> scores, Period period)
    {
        var ownMoves = moves.Where(m => customers.Contains(m.CustomerId)).OrderBy(m => m.At).ToList();
        var atStart = CountCustomersAt(ownMoves, period.Start);
        var atEnd = CountCustomersAt(ownMoves, period.End);
        var inPeriod = ownMoves.Where(m => period.Contains(m.At)).ToList();
        var gained = inPeriod.Count(m => m is { From: LifecycleStage.Prospect, To: LifecycleStage.Customer });
        var churned = inPeriod.Count(m => m.To == LifecycleStage.Churned);
        var paid = purchases.Where(p => customers.Contains(p.CustomerId) && period.Contains(p.At)).ToList();
        var payers = paid.Select(p => p.CustomerId).Distinct().Count();
        var answers = scores.Where(s => customers.Contains(s.CustomerId) && period.Contains(s.At)).ToList();
        return new Kpis(
            atEnd,
            atStart,
            gained,
            churned,
            atStart == 0 ? 0 : (double)(atEnd - atStart) / atStart,
            atStart == 0 ? 0 : (double)churned / atStart,
            paid.Count == 0 ? 0 : decimal.Round(paid.Sum(p => p.Amount) / paid.Count, 4),
            paid.Count,
            payers == 0 ? 0 : (double)paid.Count / payers,
            answers.Count == 0 ? 0 : answers.Average(a => a.Value),
            answers.Count);
    }

    /// <summary>Customers whose stage just before <paramref name="at"/> was customer or dormant (a prospect has no move yet).</summary>
    private static int CountCustomersAt(IEnumerable<StageMove> orderedMoves, DateTimeOffset at) =>
        orderedMoves.Where(m => m.At < at)
            .GroupBy(m => m.CustomerId)
            .Count(g => g.Last().To is LifecycleStage.Customer or LifecycleStage.Dormant);

    /// <summary>Follow-up execution: tasks due in the period and already due at <paramref name="now"/>, and how many were done on time.</summary>
    public static (int Due, int DoneOnTime) Execution(IEnumerable<FollowUpTask> tasks, Period period, DateTimeOffset now)
    {
        var due = tasks.Where(t => period.Contains(t.DueAt) && t.DueAt <= now && t.State != FollowUpTaskState.Cancelled).ToList();
        return (due.Count, due.Count(t => t.DoneOnTime));
    }
}
