using Platform.BuildingBlocks.Audit;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Data;
using Platform.Billing.Domain.Controls;
using Platform.Billing.Domain.Ledger;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

/// <summary>
/// Holds prepaid funds for milestones, releases them as revenue on accepted work, returns them on cancellation. Each
/// step is a ledger transfer whose id derives from the hold, applied in the same transaction as the hold's change.
/// Callers run these inside a transaction (the idempotent request's).
/// </summary>
public sealed class StagedRelease(BillingDb db, LedgerStore ledger, AuditTrail audit, TimeProvider clock)
{
    public async Task<Hold> HoldAsync(Guid customerId, Guid contractId, string milestone, decimal amount, string currency, string actor, CancellationToken ct)
    {
        var hold = new Hold
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            ContractId = contractId,
            Milestone = milestone,
            Amount = amount,
            CreatedBy = actor,
            CreatedAt = clock.GetUtcNow(),
        };
        await ledger.ApplyAsync(customerId, Postings.Hold(hold.Id, amount), currency, $"contract {contractId} milestone {milestone}", ct);
        db.Add(hold);
        audit.Record(actor, "hold.created", "holds/" + hold.Id, customerId, new { contractId, milestone, amount });
        await db.SaveChangesAsync(ct);
        return hold;
    }

    public async Task<Hold> ReleaseAsync(Guid holdId, decimal? amount, string note, string approver, CancellationToken ct)
    {
        var hold = await LockAsync(holdId, ct);
        var release = hold.Release(amount, approver, note, clock.GetUtcNow());
        await ledger.ApplyAsync(hold.CustomerId, Postings.Release(hold.Id, release.Sequence, release.Amount), null, $"hold {hold.Id}", ct);
        audit.Record(approver, "hold.released", "holds/" + hold.Id, hold.CustomerId, new { release.Sequence, release.Amount, note });
        await db.SaveChangesAsync(ct);
        return hold;
    }

    public async Task<Hold> CancelAsync(Guid holdId, string reason, string actor, CancellationToken ct)
    {
        var hold = await LockAsync(holdId, ct);
        var back = hold.Cancel();
        if (back > 0)
        {
            await ledger.ApplyAsync(hold.CustomerId, Postings.CancelHold(hold.Id, back), null, $"hold {hold.Id}", ct);
        }

        audit.Record(actor, "hold.cancelled", "holds/" + hold.Id, hold.CustomerId, new { returned = back, reason });
        await db.SaveChangesAsync(ct);
        return hold;
    }

    public async Task<Hold> GetAsync(Guid holdId, CancellationToken ct) =>
        await db.Set<Hold>().AsNoTracking().Include(h => h.Releases).SingleOrDefaultAsync(h => h.Id == holdId, ct)
        ?? throw new NotFoundException("hold", holdId.ToString());

    public async Task<IReadOnlyList<Hold>> ListAsync(Guid customerId, CancellationToken ct) =>
        await db.Set<Hold>().AsNoTracking().Include(h => h.Releases).Where(h => h.CustomerId == customerId).OrderBy(h => h.CreatedAt).ToListAsync(ct);

    /// <summary>The hold, locked until the transaction ends: concurrent releases of one hold apply one after another.</summary>
    private async Task<Hold> LockAsync(Guid holdId, CancellationToken ct) =>
        await db.Set<Hold>().FromSql($"SELECT *, xmin FROM holds WHERE id = {holdId} FOR UPDATE").Include(h => h.Releases).SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("hold", holdId.ToString());
}
