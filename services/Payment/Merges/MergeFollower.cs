using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.Contracts.Events;
using Platform.Payment.Checks.Application;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.Payment.Exceptions.Domain;

namespace Platform.Payment.Merges;

/// <summary>
/// Moves what payment holds for a merged customer to the survivor: its receivables (payment's aging view), its open
/// collections cases with their promises to pay, and its open exception work items. Each moved row gets an audit entry
/// (who: the customer service's merge; when; why: the merge event; before and after customer), so the original customer id
/// is never lost. Closed cases and resolved work items stay with the merged customer as history; recorded payments keep
/// the customer they were recorded for, and the credit score of the survivor reads them through the merge
/// (<see cref="Survivors.MergedIntoAsync"/>). Rows billing's events create for the merged id later land on the survivor
/// (<see cref="Survivors.OfAsync"/>).
/// </summary>
public sealed class MergeFollower(PaymentDb db, CustomerDirectory directory, Survivors survivors, AuditTrail audit, TimeProvider clock,
    ILogger<MergeFollower> log)
{
    public const string Actor = "system:customer-merge";

    public async Task MergedAsync(CustomersMerged e, CancellationToken ct)
    {
        if (e.SurvivorId == e.MergedId)
        {
            return;
        }

        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({Survivors.LockKey(e.MergedId)}, 0))", ct);
        await directory.MergedAsync(e, ct);
        var survivor = await survivors.OfAsync(e.SurvivorId, ct);
        var owner = await db.Set<KnownCustomer>().AsNoTracking().Where(k => k.CustomerId == survivor).Select(k => k.OwnerId).SingleOrDefaultAsync(ct);
        var why = new { mergedFrom = e.MergedId, mergedInto = survivor, mergeEventId = e.EventId, mergedAt = e.OccurredAt };

        var cases = await db.Set<CollectionCase>().AsNoTracking().Where(c => c.CustomerId == e.MergedId && c.IsOpen)
            .Select(c => new { c.Id, c.OwnerId, c.PromiseState }).ToListAsync(ct);
        if (cases.Count > 0)
        {
            // The survivor's owner makes the call tasks from now on; a survivor without a known owner keeps the case's.
            await db.Set<CollectionCase>().Where(c => c.CustomerId == e.MergedId && c.IsOpen)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.CustomerId, survivor).SetProperty(c => c.OwnerId, c => owner ?? c.OwnerId), ct);
        }

        foreach (var c in cases)
        {
            audit.Record(Actor, "collections.case_merged", $"collection-cases/{c.Id}", survivor,
                new { why, before = new { customerId = e.MergedId, ownerId = c.OwnerId }, after = new { customerId = survivor, ownerId = owner ?? c.OwnerId }, promise = c.PromiseState?.ToString() });
        }

        var items = await db.Set<WorkItem>().AsNoTracking().Where(w => w.CustomerId == e.MergedId && w.ResolvedAt == null).Select(w => w.Id).ToListAsync(ct);
        if (items.Count > 0)
        {
            await db.Set<WorkItem>().Where(w => w.CustomerId == e.MergedId && w.ResolvedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.CustomerId, survivor), ct);
        }

        foreach (var id in items)
        {
            audit.Record(Actor, "work_item.merged", $"payment-work-items/{id}", survivor,
                new { why, before = new { customerId = e.MergedId }, after = new { customerId = survivor } });
        }

        var receivables = await db.Set<Receivable>().AsNoTracking().Where(r => r.CustomerId == e.MergedId).Select(r => r.InvoiceId).ToListAsync(ct);
        if (receivables.Count > 0)
        {
            await db.Set<Receivable>().Where(r => r.CustomerId == e.MergedId).ExecuteUpdateAsync(u => u.SetProperty(r => r.CustomerId, survivor), ct);
        }

        foreach (var id in receivables)
        {
            audit.Record(Actor, "receivable.merged", $"receivables/{id}", survivor,
                new { why, before = new { customerId = e.MergedId }, after = new { customerId = survivor } });
        }

        audit.Record(Actor, "customer.merged", $"customers/{e.MergedId}", e.MergedId,
            new { why, cases = cases.Count, workItems = items.Count, receivables = receivables.Count, appliedAt = clock.GetUtcNow() });
        log.LogInformation("Customer {MergedId} merged into {SurvivorId}: {Cases} cases, {Items} work items, {Receivables} receivables moved",
            e.MergedId, survivor, cases.Count, items.Count, receivables.Count);
    }
}

/// <summary>Moves a merged customer's receivables, cases and work items to the survivor, once.</summary>
public sealed class CustomersMergedFollowConsumer(PaymentDb db, TimeProvider clock, MergeFollower follower)
    : BuildingBlocks.Messaging.InboxConsumer<CustomersMerged, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(CustomersMerged message, CancellationToken ct) => follower.MergedAsync(message, ct);
}
