using Platform.BuildingBlocks.Audit;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Data;
using Platform.Billing.Domain.Controls;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

public sealed record StatementLineView(DateTimeOffset PostedAt, Guid TransferId, string Code, string? Reference, decimal Amount, decimal Balance);

public sealed record StatementView(decimal Opening, IReadOnlyList<StatementLineView> Lines, decimal Closing, string Currency);

public sealed record LiabilityView(decimal PrepaidCash, decimal PromotionalCredit, decimal Held, decimal Revenue, decimal RiskReserve, decimal RefundsPayable,
    decimal ExpiringSoon, long Customers, DateTimeOffset AsOf);

/// <summary>Statements and balance confirmations for a customer; the liability report over all of them.</summary>
public sealed class StatementDesk(BillingDb db, AuditTrail audit, TimeProvider clock)
{
    private static readonly LedgerAccount[] Spendable = [LedgerAccount.PrepaidCash, LedgerAccount.PromotionalCredit];

    /// <summary>Movements of spendable money (prepaid cash, promotional credit) in [start, end), one line per transfer.</summary>
    public async Task<StatementView> StatementAsync(Guid customerId, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var currency = await db.PrepaidAccounts.Where(a => a.CustomerId == customerId).Select(a => a.Currency).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("prepaid account of customer", customerId.ToString());
        var spendable = db.Set<LedgerEntryRow>().AsNoTracking().Where(e => e.CustomerId == customerId && Spendable.Contains(e.Account));
        // Both accounts are liabilities: a credit adds, a debit takes away.
        var opening = await spendable.Where(e => e.PostedAt < start).SumAsync(e => e.Debit ? -e.Amount : e.Amount, ct);
        var movements = await spendable.Where(e => e.PostedAt >= start && e.PostedAt < end)
            .GroupBy(e => e.TransferId)
            .Select(g => new { TransferId = g.Key, First = g.Min(e => e.Id), PostedAt = g.Min(e => e.PostedAt), Amount = g.Sum(e => e.Debit ? -e.Amount : e.Amount) })
            .Join(db.Set<LedgerTransferRow>(), m => m.TransferId, t => t.Id, (m, t) => new { m.TransferId, m.First, m.PostedAt, m.Amount, t.Code, t.Reference })
            .OrderBy(m => m.First)
            .ToListAsync(ct);
        var balance = opening;
        var lines = new List<StatementLineView>();
        foreach (var m in movements.Where(m => m.Amount != 0))
        {
            balance += m.Amount;
            lines.Add(new StatementLineView(m.PostedAt, m.TransferId, m.Code, m.Reference, m.Amount, balance));
        }

        return new StatementView(opening, lines, balance, currency.Trim());
    }

    public async Task<BalanceConfirmation> IssueConfirmationAsync(Guid customerId, string actor, CancellationToken ct)
    {
        var account = await db.PrepaidAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.CustomerId == customerId, ct)
            ?? throw new NotFoundException("prepaid account of customer", customerId.ToString());
        var confirmation = new BalanceConfirmation
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            AsOf = clock.GetUtcNow(),
            PrepaidCash = account.PrepaidCash,
            PromotionalCredit = account.PromotionalCredit,
            Held = account.Held,
            RefundsPayable = account.RefundsPayable,
            Currency = account.Currency,
            IssuedBy = actor,
        };
        db.Add(confirmation);
        db.Enqueue(new BalanceConfirmationIssued(Guid.CreateVersion7(), confirmation.AsOf, confirmation.Id, customerId, confirmation.AsOf,
            confirmation.PrepaidCash, confirmation.PromotionalCredit, confirmation.Held, confirmation.Currency), clock);
        audit.Record(actor, "confirmation.issued", "confirmations/" + confirmation.Id, customerId, new { confirmation.PrepaidCash, confirmation.Held });
        await db.SaveChangesAsync(ct);
        return confirmation;
    }

    public async Task<BalanceConfirmation> RespondAsync(Guid confirmationId, bool confirmed, string? reason, string actor, CancellationToken ct)
    {
        var confirmation = await db.Set<BalanceConfirmation>().SingleOrDefaultAsync(c => c.Id == confirmationId, ct)
            ?? throw new NotFoundException("confirmation", confirmationId.ToString());
        confirmation.Respond(confirmed, reason, clock.GetUtcNow());
        if (!confirmed)
        {
            db.Enqueue(new BalanceConfirmationDisputed(Guid.CreateVersion7(), clock.GetUtcNow(), confirmation.Id, confirmation.CustomerId, reason!), clock);
        }

        audit.Record(actor, confirmed ? "confirmation.confirmed" : "confirmation.disputed", "confirmations/" + confirmationId, confirmation.CustomerId, new { reason });
        await db.SaveChangesAsync(ct);
        return confirmation;
    }

    public async Task<BalanceConfirmation> GetConfirmationAsync(Guid confirmationId, CancellationToken ct) =>
        await db.Set<BalanceConfirmation>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == confirmationId, ct)
        ?? throw new NotFoundException("confirmation", confirmationId.ToString());

    public async Task<LiabilityView> LiabilityAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var totals = await db.PrepaidAccounts.AsNoTracking().GroupBy(_ => 1).Select(g => new
        {
            Cash = g.Sum(a => a.PrepaidCash),
            Promotional = g.Sum(a => a.PromotionalCredit),
            Held = g.Sum(a => a.Held),
            Revenue = g.Sum(a => a.Revenue),
            Reserve = g.Sum(a => a.RiskReserve),
            RefundsPayable = g.Sum(a => a.RefundsPayable),
            Customers = g.LongCount(),
        }).SingleOrDefaultAsync(ct);
        var soon = now.AddDays(30);
        var expiring = await db.Set<PrepaidLotRow>().AsNoTracking().Where(l => l.Remaining > 0 && l.ExpiresAt > now && l.ExpiresAt <= soon).SumAsync(l => l.Remaining, ct);
        return totals is null
            ? new LiabilityView(0, 0, 0, 0, 0, 0, expiring, 0, now)
            : new LiabilityView(totals.Cash, totals.Promotional, totals.Held, totals.Revenue, totals.Reserve, totals.RefundsPayable, expiring, totals.Customers, now);
    }
}
