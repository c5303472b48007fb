using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Application;

/// <summary>
/// The time-driven side of the prepaid book: expired lots move out to revenue (PrepaidExpired), lots about to expire
/// are reminded of at the configured days (PrepaidExpiring, once per lot and day), and a balance that will last fewer
/// days than configured at the recent burn rate raises PrepaidBalanceLow once per crossing. Low balance by amount
/// fires on the transfer that crosses it (see <see cref="LedgerStore"/>).
/// </summary>
public sealed class PrepaidWatch(BillingDb db, LedgerStore ledger, IOptions<BillingOptions> options, TimeProvider clock, ILogger<PrepaidWatch> log)
{
    private const int BatchSize = 500;

    public async Task<int> ExpireAsync(DateTimeOffset now, CancellationToken ct)
    {
        var customers = await db.Set<PrepaidLotRow>().AsNoTracking()
            .Where(l => l.Remaining > 0 && l.ExpiresAt <= now).Select(l => l.CustomerId).Distinct().OrderBy(id => id).Take(BatchSize).ToListAsync(ct);
        var expired = 0;
        foreach (var customerId in customers)
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            try
            {
                var applied = await ledger.TryApplyAsync(customerId, book => book.ExpiryTransfer(now), "expired lots", ct);
                if (applied is not null)
                {
                    db.Enqueue(new PrepaidExpired(Guid.CreateVersion7(), now, customerId, applied.Transfer.Legs.Sum(l => l.Amount), applied.Currency, applied.Available), clock);
                    await db.SaveChangesAsync(ct);
                }

                await tx.CommitAsync(ct);
                expired++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One customer's failure neither stops the others' expiry nor the reminders and the runway watch after it.
                await tx.RollbackAsync(ct);
                log.LogWarning(e, "Expiring the lots of customer {CustomerId} failed; the next round tries again", customerId);
            }
        }

        return expired;
    }

    public async Task<int> RemindAsync(DateTimeOffset now, CancellationToken ct)
    {
        var days = options.Value.ExpiryReminderDays.Where(d => d > 0).Order().ToArray();
        if (days.Length == 0)
        {
            return 0;
        }

        // Per reminder, the lots that have reached it (and no nearer one) and were not reminded at it or nearer: only
        // those, so that a pass does not open a transaction for every lot within the farthest reminder every round.
        var lots = new List<(Guid Id, Guid CustomerId, decimal Remaining, DateTimeOffset ExpiresAt, string Currency, int Due)>();
        var after = now;
        foreach (var due in days)
        {
            var until = now.AddDays(due);
            var reached = await db.Set<PrepaidLotRow>().AsNoTracking()
                .Where(l => l.Remaining > 0 && l.ExpiresAt > after && l.ExpiresAt <= until)
                .Where(l => !db.Set<PrepaidLotReminderRow>().Any(r => r.LotId == l.Id && r.Days <= due))
                .Join(db.PrepaidAccounts, l => l.CustomerId, a => a.CustomerId, (l, a) => new { l.Id, l.CustomerId, l.Remaining, l.ExpiresAt, a.Currency })
                .ToListAsync(ct);
            lots.AddRange(reached.Select(l => (l.Id, l.CustomerId, l.Remaining, l.ExpiresAt!.Value, l.Currency, due)));
            after = until;
        }

        var sent = 0;
        foreach (var lot in lots)
        {
            var due = lot.Due; // the most urgent reminder this lot has reached
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var recorded = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO prepaid_lot_reminders (lot_id, days, sent_at)
                SELECT {lot.Id}, {due}, {now}
                WHERE NOT EXISTS (SELECT 1 FROM prepaid_lot_reminders WHERE lot_id = {lot.Id} AND days <= {due})
                ON CONFLICT DO NOTHING
                """, ct);
            if (recorded == 1)
            {
                db.Enqueue(new PrepaidExpiring(Guid.CreateVersion7(), now, lot.CustomerId, lot.Id, lot.Remaining, lot.Currency, lot.ExpiresAt, due), clock);
                await db.SaveChangesAsync(ct);
                sent++;
            }

            await tx.CommitAsync(ct);
        }

        return sent;
    }

    public async Task<int> WatchRunwayAsync(DateTimeOffset now, CancellationToken ct)
    {
        var threshold = options.Value.LowBalanceRunwayDays;
        if (threshold <= 0)
        {
            return 0;
        }

        var window = options.Value.BurnRateWindowDays;
        var since = now.AddDays(-window);
        // Burn: revenue recognized from the customer's money (consumption, released milestones), not expiry.
        var burns = await db.Set<LedgerEntryRow>().AsNoTracking()
            .Where(e => e.Account == LedgerAccount.Revenue && !e.Debit && e.PostedAt > since)
            .Join(db.Set<LedgerTransferRow>().Where(t => t.Code != "prepaid.expired"), e => e.TransferId, t => t.Id, (e, _) => e)
            .GroupBy(e => e.CustomerId).Select(g => new { CustomerId = g.Key, Burn = g.Sum(e => e.Amount) })
            .ToDictionaryAsync(x => x.CustomerId, x => x.Burn, ct);
        var flagged = await db.Set<BalanceWatchRow>().Where(w => w.RunwayLow).Select(w => w.CustomerId).ToListAsync(ct);
        var customers = burns.Keys.Union(flagged).ToList();
        var raised = 0;
        foreach (var chunk in customers.Chunk(BatchSize))
        {
            db.ChangeTracker.Clear();
            var accounts = await db.PrepaidAccounts.AsNoTracking().Where(a => chunk.Contains(a.CustomerId)).ToListAsync(ct);
            var watches = await db.Set<BalanceWatchRow>().Where(w => chunk.Contains(w.CustomerId)).ToDictionaryAsync(w => w.CustomerId, ct);
            foreach (var account in accounts)
            {
                var available = account.PrepaidCash + account.PromotionalCredit;
                var daily = burns.GetValueOrDefault(account.CustomerId) / window;
                decimal? runway = daily > 0 ? decimal.Round(available / daily, 1) : null;
                var low = runway is { } r && r < threshold;
                if (!watches.TryGetValue(account.CustomerId, out var watch))
                {
                    watch = new BalanceWatchRow { CustomerId = account.CustomerId };
                    db.Add(watch);
                }

                if (low && !watch.RunwayLow)
                {
                    db.Enqueue(new PrepaidBalanceLow(Guid.CreateVersion7(), now, account.CustomerId, available, account.Currency, "runway", threshold, runway), clock);
                    raised++;
                }

                watch.RunwayLow = low;
            }

            await db.SaveChangesAsync(ct);
        }

        return raised;
    }
}
