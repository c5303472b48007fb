using Microsoft.EntityFrameworkCore;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

/// <summary>
/// Applies a customer merge to billing: the merged customer's book is handed over to the survivor's by two ledger
/// transfers (see <see cref="MergePostings"/>), and a redirect row sends every later posting for the merged id (deposits,
/// invoices of its contracts, charges, hold releases, refunds) to the survivor's book (see <see cref="LedgerStore"/>).
/// Contracts, invoices, holds and refunds are not touched: they stay as signed, under the merged id.
/// </summary>
public sealed class CustomerMerges(BillingDb db, PrepaidAccountBook accounts, LedgerStore ledger, TimeProvider clock, ILogger<CustomerMerges> log)
{
    /// <summary>
    /// Moves the money once per merged customer: a redelivery, or the same merge re-published under a new event id, finds
    /// the redirect row (or, when it runs at the same moment, the transfers with ids derived from the pair) and moves nothing.
    /// </summary>
    public async Task MergedAsync(CustomersMerged e, CancellationToken ct)
    {
        if (e.SurvivorId == e.MergedId || await db.Set<CustomerMergeRow>().AnyAsync(m => m.MergedId == e.MergedId, ct))
        {
            log.LogInformation("Merge of {MergedId} into {SurvivorId} already applied", e.MergedId, e.SurvivorId);
            return;
        }

        // A survivor merged in turn (its merge applied first) passes the money on to its own survivor.
        var survivor = await db.Set<CustomerMergeRow>().Where(m => m.MergedId == e.SurvivorId).Select(m => (Guid?)m.SurvivorId).SingleOrDefaultAsync(ct)
            ?? e.SurvivorId;
        await accounts.EnsureOpenAllAsync([survivor, e.MergedId], ct);
        var currencies = await db.PrepaidAccounts.AsNoTracking().Where(a => a.CustomerId == survivor || a.CustomerId == e.MergedId)
            .Select(a => new { a.CustomerId, a.Currency }).ToDictionaryAsync(a => a.CustomerId, a => a.Currency, ct);
        if (currencies[survivor] != currencies[e.MergedId])
        {
            // One book holds one currency: moving the amounts would count them in the survivor's. Nothing is written; the
            // message is retried and then parked for finance to settle the merged book (refund or convert) first.
            log.LogError("Merge of {MergedId} into {SurvivorId} refused: the merged book is in {MergedCurrency}, the survivor's in {SurvivorCurrency}",
                e.MergedId, survivor, currencies[e.MergedId], currencies[survivor]);
            throw new PreconditionFailedException("MERGE_CURRENCY_MISMATCH", $"customers/{e.MergedId}",
                $"the merged customer's book is in {currencies[e.MergedId]}, the survivor's in {currencies[survivor]}");
        }

        var reference = $"customers merged: {e.MergedId} into {e.SurvivorId} (event {e.EventId})";
        IReadOnlyList<MergedAmount> moved = [];
        var postings = new[]
        {
            new LedgerPosting(e.MergedId, MergePostings.OutId(e.SurvivorId, e.MergedId), book =>
            {
                moved = MergePostings.Moved(book);
                return MergePostings.Out(e.SurvivorId, e.MergedId, moved);
            }, CompareReplay: false, reference) { FollowMerges = false },
            // Built after the first posting, from what it handed over.
            new LedgerPosting(survivor, MergePostings.InId(e.SurvivorId, e.MergedId), book => MergePostings.In(e.SurvivorId, e.MergedId, moved, book),
                CompareReplay: false, reference) { FollowMerges = false },
        };
        var results = await ledger.ApplyManyAsync(postings, ct);
        if (results.FirstOrDefault(r => r.Refusal is not null).Refusal is { } refusal)
        {
            // Both transfers or neither: the inbox transaction rolls back and the retry policy takes the message.
            log.LogError("Merge of {MergedId} into {SurvivorId} refused by the ledger: {Reason}", e.MergedId, survivor, refusal.Message);
            throw refusal;
        }

        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO customer_merges (merged_id, survivor_id, merged_into, event_id, merged_at, applied_at)
            VALUES ({e.MergedId}, {survivor}, {e.SurvivorId}, {e.EventId}, {e.OccurredAt}, {now})
            ON CONFLICT (merged_id) DO NOTHING
            """, ct);
        // Customers merged earlier into the one merged now follow it to its survivor.
        await db.Database.ExecuteSqlAsync($"UPDATE customer_merges SET survivor_id = {survivor} WHERE survivor_id = {e.MergedId}", ct);
        // The moved lots are new lots of the survivor with the same expiry: the expiry reminders the merged customer was
        // already sent count for them, so the same money is not announced as expiring again at the same distance.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO prepaid_lot_reminders (lot_id, days, sent_at)
            SELECT DISTINCT ON (moved.id, sent.days) moved.id, sent.days, sent.sent_at
            FROM prepaid_lots moved
            JOIN prepaid_lots old ON old.customer_id = {e.MergedId} AND old.expires_at = moved.expires_at
            JOIN prepaid_lot_reminders sent ON sent.lot_id = old.id
            WHERE moved.transfer_id = {MergePostings.InId(e.SurvivorId, e.MergedId)}
            ON CONFLICT DO NOTHING
            """, ct);
        log.LogInformation("Customer {MergedId} merged into {SurvivorId}: {Moved} amounts moved", e.MergedId, survivor, moved.Count);
    }
}
