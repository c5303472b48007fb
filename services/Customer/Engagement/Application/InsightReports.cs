using Microsoft.EntityFrameworkCore;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

public enum Segmentation
{
    None = 0,
    ValueTier = 1,
    IntentGrade = 2,
    Industry = 3,
    Owner = 4,
}

public sealed record SegmentKpis(string Segment, Kpis Current, Kpis Previous);

public sealed record RepKpis(Guid OwnerId, int TasksDue, int TasksDoneOnTime, int NewCustomers, int ChurnedCustomers, double Satisfaction)
{
    public double ExecutionRate => TasksDue == 0 ? 0 : (double)TasksDoneOnTime / TasksDue;
}

/// <summary>
/// Insight and supervision reports. Segments use each customer's current tier, grade, industry and owner; the figures
/// come from the lifecycle history, payment facts (those not taken back) and survey answers of the period and of the one before it.
/// </summary>
public sealed class InsightReports(CustomerDb db, TimeProvider clock)
{
    private sealed record Member(Guid Id, ValueTier Tier, IntentGrade Grade, string? Industry, Guid? OwnerId);

    private sealed record Facts(List<Member> Members, List<StageMove> Moves, List<Purchase> Purchases, List<Score> Scores);

    public async Task<IReadOnlyList<SegmentKpis>> CustomerInsightAsync(Period period, Segmentation by, CancellationToken ct)
    {
        var facts = await LoadAsync(period, ct);
        return facts.Members.GroupBy(m => SegmentOf(m, by)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var ids = g.Select(m => m.Id).ToHashSet();
                return new SegmentKpis(g.Key,
                    InsightCalculator.Compute(ids, facts.Moves, facts.Purchases, facts.Scores, period),
                    InsightCalculator.Compute(ids, facts.Moves, facts.Purchases, facts.Scores, period.Previous));
            })
            .ToList();
    }

    public async Task<IReadOnlyList<RepKpis>> RepPerformanceAsync(Period period, CancellationToken ct)
    {
        var facts = await LoadAsync(period, ct);
        var tasks = await db.Set<FollowUpTask>().AsNoTracking().Where(t => t.DueAt >= period.Start && t.DueAt < period.End).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var owners = facts.Members.Where(m => m.OwnerId is not null).Select(m => m.OwnerId!.Value).Concat(tasks.Select(t => t.OwnerId)).Distinct().Order();
        return owners.Select(owner =>
        {
            var ids = facts.Members.Where(m => m.OwnerId == owner).Select(m => m.Id).ToHashSet();
            var kpis = InsightCalculator.Compute(ids, facts.Moves, facts.Purchases, facts.Scores, period);
            var (due, onTime) = InsightCalculator.Execution(tasks.Where(t => t.OwnerId == owner), period, now);
            return new RepKpis(owner, due, onTime, kpis.NewCustomers, kpis.ChurnedCustomers, kpis.Satisfaction);
        }).ToList();
    }

    private async Task<Facts> LoadAsync(Period period, CancellationToken ct)
    {
        var from = period.Previous.Start;
        var members = await db.Set<CustomerProfile>().AsNoTracking().Where(c => c.Stage != LifecycleStage.Erased)
            .Select(c => new Member(c.Id, c.ValueTier, c.IntentGrade, c.Industry, c.OwnerId)).ToListAsync(ct);
        var moves = await db.Set<LifecycleChange>().AsNoTracking().Where(c => c.OccurredAt < period.End)
            .Select(c => new StageMove(c.CustomerId, c.From, c.To, c.OccurredAt)).ToListAsync(ct);
        var purchases = await db.Set<PaymentFact>().AsNoTracking().Where(p => p.ReceivedAt >= from && p.ReceivedAt < period.End && p.ReversedAt == null)
            .Select(p => new Purchase(p.CustomerId, p.Amount, p.ReceivedAt)).ToListAsync(ct);
        var scores = await db.Set<SurveyAnswer>().AsNoTracking().Where(s => s.AnsweredAt >= from && s.AnsweredAt < period.End)
            .Select(s => new Score(s.CustomerId, s.Score, s.AnsweredAt)).ToListAsync(ct);
        return new Facts(members, moves, purchases, scores);
    }

    private static string SegmentOf(Member m, Segmentation by) => by switch
    {
        Segmentation.ValueTier => EngagementNames.Of(m.Tier),
        Segmentation.IntentGrade => EngagementNames.Of(m.Grade),
        Segmentation.Industry => m.Industry ?? "none",
        Segmentation.Owner => m.OwnerId?.ToString() ?? "none",
        _ => "all",
    };
}
