using Platform.BuildingBlocks.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Customer.Data;

namespace Platform.Customer.Engagement.Application;

/// <summary>
/// One pass of the scheduled work: dormant customers, overdue follow-ups, plans without a next task, value tiers as the
/// 12-month window moves. Runs in one transaction under an advisory lock, so across replicas one pass runs at a time
/// and FollowUpDue is raised once per task.
/// </summary>
public sealed class EngagementScan(CustomerDb db, LifecycleTracker lifecycle, FollowUpPlanner planner, ValueTierGrader tiers, IOptions<SchedulerOptions> options,
    ILogger<EngagementScan> log)
{
    private static readonly long LockKey = AdvisoryLocks.KeyOf("customer-engagement-scan");

    /// <summary>Answers false when another replica holds the scan.</summary>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.TryLockForTransactionAsync(LockKey, ct))
        {
            return false;
        }

        var dormant = await lifecycle.ScanDormantAsync(ct);
        var overdue = await planner.RaiseOverdueAsync(ct);
        await db.SaveChangesAsync(ct);
        var planned = await planner.FillGapsAsync(ct);
        var retiered = await tiers.RefreshAsync(options.Value.TierLookback, options.Value.TierBatchSize, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (dormant + overdue + planned + retiered > 0)
        {
            log.LogInformation("Engagement scan: {Dormant} dormant, {Overdue} overdue follow-ups, {Planned} plans resumed, {Retiered} tiers changed",
                dormant, overdue, planned, retiered);
        }

        return true;
    }
}
