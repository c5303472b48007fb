namespace Platform.Billing.Domain.Ledger;

/// <summary>One amount a merge moves: debited to <paramref name="From"/> and credited to <paramref name="To"/> in the merged book,
/// the other way round in the survivor's.</summary>
/// <param name="LotExpiry">For a prepaid cash lot: its expiry, which the survivor's new lot keeps.</param>
/// <param name="Overdraft">Prepaid cash the merged customer spent on credit (a debt, not a lot).</param>
public sealed record MergedAmount(LedgerAccount From, LedgerAccount To, decimal Amount, DateTimeOffset? LotExpiry = null, bool Overdraft = false);

/// <summary>
/// The two transfers that hand a merged customer's book over to the survivor's. The ledger is per customer and append-only,
/// so nothing is rewritten: the merged book posts a "merge out" transfer that empties what the customer is owed or owes,
/// and the survivor's book posts the mirror "merge in" transfer. Each book stays balanced on its own, and summed over both
/// books every bridge account nets to zero. What moves, and through which account:
/// <list type="bullet">
/// <item>prepaid cash, lot by lot, through payments clearing: the survivor gets one lot per merged lot with the same
/// expiry (lots carry no contract of their own here; money bound to a contract is held funds);</item>
/// <item>promotional credit through the promotions expense: the grant moves, so the survivor's promotional credit is
/// backed by its own promotions expense, and neither book shows cash that never came in;</item>
/// <item>held funds and refunds payable through payments clearing: the holds and refunds stay attached to their
/// contracts and keep the merged customer's id, and their later releases, cancellations and payouts are redirected to
/// the survivor's book (see CustomerMerges), so the money they need must be there;</item>
/// <item>receivables through revenue: the invoices stay as issued, the amount owed and the revenue it earned move
/// together (as a void here and an issue there would), so later payments and voids of those invoices, redirected to
/// the survivor, find them; what is owed for money paid out that never came in (clearing below zero, see
/// <see cref="LedgerAccounts.Floor"/>) moves through clearing, with the shortfall;</item>
/// <item>an overdraft (prepaid cash below zero on credit) through revenue as well: into the survivor's prepaid cash
/// when its own credit limit allows, otherwise into its receivable;</item>
/// <item>the risk reserve only as far as the merged book's clearing cannot pay the cash it hands over: what the
/// survivor takes comes with the cash backing it, so neither clearing account goes below zero.</item>
/// </list>
/// Revenue and promotions that stay behind are the merged customer's history. Transfer ids derive from the survivor and
/// merged ids, so a redelivered or re-published merge moves nothing twice.
/// </summary>
public static class MergePostings
{
    public const string OutCode = "customer.merged_out";

    public const string InCode = "customer.merged_in";

    public static Guid OutId(Guid survivorId, Guid mergedId) => Postings.IdFor("merge-out", Pair(survivorId, mergedId));

    public static Guid InId(Guid survivorId, Guid mergedId) => Postings.IdFor("merge-in", Pair(survivorId, mergedId));

    /// <summary>What the merged book hands over; empty when it holds nothing to move.</summary>
    public static IReadOnlyList<MergedAmount> Moved(PrepaidBook merged)
    {
        var moved = new List<MergedAmount>();
        var revenue = merged.Balance(LedgerAccount.Revenue);
        var prepaid = merged.Balance(LedgerAccount.PrepaidCash);
        if (prepaid < 0)
        {
            var overdraft = -prepaid;
            moved.Add(new MergedAmount(LedgerAccount.Revenue, LedgerAccount.PrepaidCash, overdraft, Overdraft: true));
            revenue -= overdraft;
        }

        // Soonest-expiring first, so that the merged book's spending order (which empties them) matches lot for lot.
        foreach (var lot in merged.Lots.Where(l => l.Remaining > 0).OrderBy(l => l.ExpiresAt ?? DateTimeOffset.MaxValue).ThenBy(l => l.Id))
        {
            moved.Add(new MergedAmount(LedgerAccount.PrepaidCash, LedgerAccount.PaymentsClearing, lot.Remaining, lot.ExpiresAt));
        }

        // A grant the merged book booked otherwise (a caller's transfer) moves with clearing for what its promotions expense lacks.
        var promotional = merged.Balance(LedgerAccount.PromotionalCredit);
        var withExpense = Math.Min(promotional, merged.Balance(LedgerAccount.Promotions));
        Add(moved, LedgerAccount.PromotionalCredit, LedgerAccount.Promotions, withExpense);
        Add(moved, LedgerAccount.PromotionalCredit, LedgerAccount.PaymentsClearing, promotional - withExpense);
        Add(moved, LedgerAccount.Held, LedgerAccount.PaymentsClearing, merged.Balance(LedgerAccount.Held));
        Add(moved, LedgerAccount.RefundsPayable, LedgerAccount.PaymentsClearing, merged.Balance(LedgerAccount.RefundsPayable));

        // Receivables move with the revenue they earned; any part without revenue behind it moves with clearing. What
        // clearing is short by (a refund paid out of a payment later reversed) is owed and earned nothing: that part
        // moves with clearing first, so the merged clearing is back at zero and the survivor's is short by it instead.
        var receivable = merged.Balance(LedgerAccount.Receivable);
        var owedForPayouts = Math.Min(receivable, Math.Max(0m, -merged.Balance(LedgerAccount.PaymentsClearing)));
        var withRevenue = Math.Clamp(revenue, 0m, receivable - owedForPayouts);
        Add(moved, LedgerAccount.Revenue, LedgerAccount.Receivable, withRevenue);
        Add(moved, LedgerAccount.PaymentsClearing, LedgerAccount.Receivable, receivable - withRevenue);

        var clearingAfter = merged.Balance(LedgerAccount.PaymentsClearing)
            + moved.Where(m => m.From == LedgerAccount.PaymentsClearing).Sum(m => m.Amount)
            - moved.Where(m => m.To == LedgerAccount.PaymentsClearing).Sum(m => m.Amount);
        Add(moved, LedgerAccount.PaymentsClearing, LedgerAccount.RiskReserve, Math.Min(merged.Balance(LedgerAccount.RiskReserve), Math.Max(0m, -clearingAfter)));
        return moved;
    }

    /// <summary>The merged book's transfer: null when there is nothing to move.</summary>
    public static Transfer? Out(Guid survivorId, Guid mergedId, IReadOnlyList<MergedAmount> moved) =>
        moved.Count == 0 ? null : new Transfer(OutId(survivorId, mergedId), OutCode, moved.Select(m => new Leg(m.From, m.To, m.Amount)).ToList());

    /// <summary>
    /// The survivor's mirror transfer: null when there is nothing to move. An overdraft goes into the survivor's prepaid
    /// cash only when that stays within the survivor's own credit limit; otherwise it is owed as a receivable.
    /// </summary>
    public static Transfer? In(Guid survivorId, Guid mergedId, IReadOnlyList<MergedAmount> moved, PrepaidBook survivor)
    {
        if (moved.Count == 0)
        {
            return null;
        }

        var overdraft = moved.Where(m => m.Overdraft).Sum(m => m.Amount);
        var cashAfter = survivor.Balance(LedgerAccount.PrepaidCash) + moved.Where(m => m.From == LedgerAccount.PrepaidCash).Sum(m => m.Amount) - overdraft;
        var debtAccount = cashAfter >= -survivor.CreditLimit ? LedgerAccount.PrepaidCash : LedgerAccount.Receivable;
        var legs = moved.Select(m => m.Overdraft
            ? new Leg(debtAccount, m.From, m.Amount)
            : new Leg(m.To, m.From, m.Amount, m.From == LedgerAccount.PrepaidCash ? m.LotExpiry : null)).ToList();
        return new Transfer(InId(survivorId, mergedId), InCode, legs);
    }

    private static void Add(List<MergedAmount> moved, LedgerAccount from, LedgerAccount to, decimal amount)
    {
        if (amount > 0)
        {
            moved.Add(new MergedAmount(from, to, amount));
        }
    }

    private static Guid Pair(Guid survivorId, Guid mergedId) => PrepaidBook.DeterministicId($"merge:{survivorId}:{mergedId}");
}
