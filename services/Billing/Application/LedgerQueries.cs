using Microsoft.EntityFrameworkCore;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

public sealed record BalancesView(IReadOnlyDictionary<LedgerAccount, decimal> Balances, string Currency, decimal CreditLimit, IReadOnlyList<Lot> Lots);

public sealed record EntryView(long Id, Guid TransferId, string Code, int Leg, LedgerAccount Account, bool Debit, decimal Amount, decimal BalanceAfter,
    DateTimeOffset PostedAt, string Currency);

public sealed record InvariantCheck(IReadOnlyList<string> Violations, long CustomersChecked, DateTimeOffset CheckedAt);

/// <summary>Reads of the stored book: balances, entries, and the invariant check.</summary>
public sealed class LedgerQueries(BillingDb db, TimeProvider clock)
{
    public async Task<BalancesView> BalancesAsync(Guid customerId, CancellationToken ct)
    {
        var account = await db.PrepaidAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.CustomerId == customerId, ct)
            ?? throw new NotFoundException("prepaid account of customer", customerId.ToString());
        var lots = await db.Set<PrepaidLotRow>().AsNoTracking()
            .Where(l => l.CustomerId == customerId && l.Remaining > 0)
            .OrderBy(l => l.ExpiresAt == null).ThenBy(l => l.ExpiresAt).ThenBy(l => l.Id)
            .Select(l => new Lot(l.Id, l.Original, l.ExpiresAt, l.Remaining))
            .ToListAsync(ct);
        return new BalancesView(LedgerStore.BalancesOf(account), account.Currency, account.CreditLimit, lots);
    }

    /// <summary>Newest first; answers one more than <paramref name="size"/> when there is a next page.</summary>
    public async Task<IReadOnlyList<EntryView>> EntriesAsync(Guid customerId, LedgerAccount? account, long? before, int size, CancellationToken ct)
    {
        var currency = await db.PrepaidAccounts.AsNoTracking().Where(a => a.CustomerId == customerId).Select(a => a.Currency).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("prepaid account of customer", customerId.ToString());
        var entries = db.Set<LedgerEntryRow>().AsNoTracking().Where(e => e.CustomerId == customerId);
        if (account is { } only)
        {
            entries = entries.Where(e => e.Account == only);
        }

        if (before is { } id)
        {
            entries = entries.Where(e => e.Id < id);
        }

        return await entries.OrderByDescending(e => e.Id).Take(size + 1)
            .Join(db.Set<LedgerTransferRow>(), e => e.TransferId, t => t.Id, (e, t) => new { e, t.Code })
            .OrderByDescending(x => x.e.Id)
            .Select(x => new EntryView(x.e.Id, x.e.TransferId, x.Code, x.e.Leg, x.e.Account, x.e.Debit, x.e.Amount, x.e.BalanceAfter, x.e.PostedAt, currency))
            .ToListAsync(ct);
    }

    /// <summary>
    /// The ledger's invariants from what is stored: each transfer's debits equal its credits; every balance equals the
    /// sum of its entries and is not below its floor; open lots hold exactly the positive prepaid cash.
    /// </summary>
    public async Task<InvariantCheck> CheckAsync(Guid? customerId, CancellationToken ct)
    {
        var violations = new List<string>();
        var unbalanced = await db.Database.SqlQuery<Guid>($"""
            SELECT transfer_id AS "Value" FROM ledger_entries WHERE {customerId}::uuid IS NULL OR customer_id = {customerId}::uuid
            GROUP BY transfer_id HAVING sum(CASE WHEN debit THEN amount ELSE -amount END) <> 0
            """).ToListAsync(ct);
        violations.AddRange(unbalanced.Select(t => $"transfer {t}: debits != credits"));

        var sums = await db.Database.SqlQuery<AccountSum>($"""
            SELECT customer_id, account,
                   sum(CASE WHEN debit = (account IN ('PaymentsClearing', 'Receivable', 'Promotions', 'RiskReserve')) THEN amount ELSE -amount END) AS sum
            FROM ledger_entries WHERE {customerId}::uuid IS NULL OR customer_id = {customerId}::uuid GROUP BY customer_id, account
            """).ToListAsync(ct);
        var lotSums = await db.Set<PrepaidLotRow>().AsNoTracking()
            .Where(l => customerId == null || l.CustomerId == customerId)
            .GroupBy(l => l.CustomerId).Select(g => new { CustomerId = g.Key, Sum = g.Sum(l => l.Remaining) })
            .ToDictionaryAsync(x => x.CustomerId, x => x.Sum, ct);
        var accounts = await db.PrepaidAccounts.AsNoTracking().Where(a => customerId == null || a.CustomerId == customerId).ToListAsync(ct);
        var byCustomer = sums.ToLookup(s => s.CustomerId);

        foreach (var account in accounts)
        {
            var stored = LedgerStore.BalancesOf(account);
            var fromEntries = byCustomer[account.CustomerId].ToDictionary(s => Enum.Parse<LedgerAccount>(s.Account), s => s.Sum);
            foreach (var (ledgerAccount, balance) in stored)
            {
                var expected = fromEntries.GetValueOrDefault(ledgerAccount);
                if (balance != expected)
                {
                    violations.Add($"customer {account.CustomerId} {ledgerAccount}: balance {balance} != sum of entries {expected}");
                }

                var floor = ledgerAccount.Floor(account.CreditLimit, account.Receivable);
                if (balance < floor)
                {
                    violations.Add($"customer {account.CustomerId} {ledgerAccount}: balance {balance} below {floor}");
                }
            }

            var inLots = lotSums.GetValueOrDefault(account.CustomerId);
            if (inLots != Math.Max(0m, account.PrepaidCash))
            {
                violations.Add($"customer {account.CustomerId}: lots hold {inLots} but prepaid cash is {account.PrepaidCash}");
            }
        }

        return new InvariantCheck(violations, accounts.Count, clock.GetUtcNow());
    }

    private sealed record AccountSum(Guid CustomerId, string Account, decimal Sum);
}
