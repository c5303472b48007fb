namespace Platform.Billing.Domain.Ledger;

/// <summary>
/// The transfers the billing use cases post. Ids derive from what caused them (a payment, a hold, a refund), so a
/// redelivered cause posts the same transfer id and the ledger applies it once.
/// </summary>
public static class Postings
{
    /// <summary>The code of a deposit's reversal (<see cref="DepositReversal"/>).</summary>
    public const string ReversalCode = "payment.reversed";

    /// <summary>The code of a refund's payout (<see cref="RefundPaid"/>).</summary>
    public const string RefundPaidCode = "refund.paid";

    /// <summary>
    /// Money received: into prepaid cash as a lot expiring at <paramref name="lotExpiry"/>, and the reserve share of it
    /// moved from payments clearing into the risk reserve.
    /// </summary>
    /// <param name="invoiced">The part of the payment that paid invoices: it settles their receivable.</param>
    /// <param name="generation">Which announcement of the payment this is (<see cref="DepositId"/>).</param>
    public static Transfer Deposit(Guid paymentId, decimal amount, DateTimeOffset? lotExpiry, decimal reserveShare, decimal invoiced = 0m,
        int generation = 0)
    {
        var legs = new List<Leg>();
        if (invoiced > 0)
        {
            legs.Add(new Leg(LedgerAccount.PaymentsClearing, LedgerAccount.Receivable, invoiced));
        }

        if (amount > 0)
        {
            legs.Add(new Leg(LedgerAccount.PaymentsClearing, LedgerAccount.PrepaidCash, amount, lotExpiry));
        }

        var reserve = decimal.Round(amount * reserveShare, PrepaidBook.Scale, MidpointRounding.ToZero);
        if (reserve > 0)
        {
            legs.Add(new Leg(LedgerAccount.RiskReserve, LedgerAccount.PaymentsClearing, reserve));
        }

        return new Transfer(DepositId(paymentId, generation), amount > 0 ? "prepaid.deposit" : "invoice.paid", legs);
    }

    /// <summary>
    /// The deposit of one announcement of a payment. The first announcement (generation 0) keeps the id deposits always
    /// had; a payment announced again after its deposit was taken back (<see cref="DepositReversal"/>) is deposited under
    /// the next generation's id, so it applies again once, while a replay of an older announcement meets its own id.
    /// </summary>
    public static Guid DepositId(Guid paymentId, int generation) =>
        generation == 0 ? IdFor("deposit", paymentId) : IdFor($"deposit:{generation}", paymentId);

    /// <summary>
    /// Takes back what <paramref name="deposit"/> put in, against the customer's <paramref name="book"/> as it is now.
    /// It always applies (the payment service has taken the money back already; a refused reversal would leave the two
    /// services disagreeing for good), and debits equal credits:
    /// <list type="bullet">
    /// <item>the reserve share returns to payments clearing — more of the reserve, up to all of it, when clearing holds
    /// less than the payment (refunds were paid out of it meanwhile);</item>
    /// <item>prepaid cash is debited for what of the deposit it still holds (never below zero, nor further on credit),
    /// drawn from the deposit's own lot (<paramref name="depositLot"/>) first, so the customer's other money keeps its
    /// expiry; only what the deposit's lot no longer holds comes from the soonest-expiring others;</item>
    /// <item>the rest becomes receivable — the customer owes it: what settled invoices, and what of the deposit was spent,
    /// held, or refunded. A refund approved (in refunds payable, payment will pay it out) or paid out already was paid
    /// with money that never arrived, so it is owed like spent money.</item>
    /// </list>
    /// Clearing pays the payment back. When refunds were paid out of it and the reserve cannot make up the difference,
    /// clearing goes below zero by what was paid out and never came in — exactly the part of the receivable the refund
    /// left owing (the floor of clearing is minus the receivable, see <see cref="LedgerAccounts.Floor"/>); the customer
    /// paying the invoice makes clearing whole again. No other account goes below its floor: with the accounts this
    /// ledger has, money paid out that never came in has to show as an asset below zero, and clearing is the one whose
    /// meaning (received less paid out) it is.
    /// </summary>
    /// <param name="depositLot">The prepaid lot the deposit created (null when unknown: soonest-expiring lots first).</param>
    public static Transfer DepositReversal(Guid paymentId, int generation, Transfer deposit, PrepaidBook book, Guid? depositLot = null)
    {
        var invoiced = deposit.Legs.Where(l => l is { From: LedgerAccount.PaymentsClearing, To: LedgerAccount.Receivable }).Sum(l => l.Amount);
        var deposited = deposit.Legs.Where(l => l is { From: LedgerAccount.PaymentsClearing, To: LedgerAccount.PrepaidCash }).Sum(l => l.Amount);
        var reserved = deposit.Legs.Where(l => l is { From: LedgerAccount.RiskReserve, To: LedgerAccount.PaymentsClearing }).Sum(l => l.Amount);
        var fromCash = Math.Min(deposited, Math.Max(0m, book.Balance(LedgerAccount.PrepaidCash)));
        var owed = invoiced + deposited - fromCash;
        var clearingShort = invoiced + deposited - book.Balance(LedgerAccount.PaymentsClearing);
        var reserveBack = Math.Min(book.Balance(LedgerAccount.RiskReserve), Math.Max(reserved, clearingShort));

        var legs = new List<Leg>();
        if (reserveBack > 0)
        {
            legs.Add(new Leg(LedgerAccount.PaymentsClearing, LedgerAccount.RiskReserve, reserveBack));
        }

        if (fromCash > 0)
        {
            legs.Add(new Leg(LedgerAccount.PrepaidCash, LedgerAccount.PaymentsClearing, fromCash, Lot: depositLot));
        }

        if (owed > 0)
        {
            legs.Add(new Leg(LedgerAccount.Receivable, LedgerAccount.PaymentsClearing, owed));
        }

        return new Transfer(DepositReversalId(paymentId, generation), ReversalCode, legs);
    }

    /// <summary>The reversal of one announcement's deposit: one per (payment, generation), so a redelivered reversal applies once.</summary>
    public static Guid DepositReversalId(Guid paymentId, int generation) => IdFor($"deposit-reversal:{generation}", paymentId);

    /// <summary>What a reversal left the customer owing (the receivable it booked).</summary>
    public static decimal Owed(Transfer reversal) =>
        reversal.Legs.Where(l => l is { From: LedgerAccount.Receivable, To: LedgerAccount.PaymentsClearing }).Sum(l => l.Amount);

    /// <summary>An issued invoice: the customer owes its amount, earned as revenue when billed.</summary>
    public static Transfer InvoiceIssued(Guid invoiceId, decimal amount) =>
        new(IdFor("invoice", invoiceId), "invoice.issued", [new Leg(LedgerAccount.Receivable, LedgerAccount.Revenue, amount)]);

    /// <summary>A voided invoice: what it still owed is no longer owed, and no longer revenue.</summary>
    public static Transfer InvoiceVoided(Guid invoiceId, decimal amountDue) =>
        new(IdFor("invoice-void", invoiceId), "invoice.voided", [new Leg(LedgerAccount.Revenue, LedgerAccount.Receivable, amountDue)]);

    /// <summary>Funds for a milestone reserved out of prepaid cash.</summary>
    public static Transfer Hold(Guid holdId, decimal amount) =>
        new(IdFor("hold", holdId), "prepaid.held", [new Leg(LedgerAccount.PrepaidCash, LedgerAccount.Held, amount)]);

    /// <summary>Accepted milestone work: held funds recognized as revenue (release number <paramref name="sequence"/> of the hold).</summary>
    public static Transfer Release(Guid holdId, int sequence, decimal amount) =>
        new(IdFor($"release:{sequence}", holdId), "prepaid.released", [new Leg(LedgerAccount.Held, LedgerAccount.Revenue, amount)]);

    /// <summary>A cancelled hold: what is still held returns to prepaid cash (as a lot that never expires).</summary>
    public static Transfer CancelHold(Guid holdId, decimal amount) =>
        new(IdFor("cancel", holdId), "prepaid.hold_cancelled", [new Leg(LedgerAccount.Held, LedgerAccount.PrepaidCash, amount)]);

    /// <summary>An approved refund: prepaid cash owed back to the customer until payment pays it out.</summary>
    public static Transfer RefundApproved(Guid refundId, decimal amount) =>
        new(IdFor("refund", refundId), "refund.approved", [new Leg(LedgerAccount.PrepaidCash, LedgerAccount.RefundsPayable, amount)]);

    /// <summary>
    /// A refund paid out of payments clearing; when clearing holds less than the refund (the reserve took its share of
    /// the deposits), the difference is first released from the reserve, as far as the reserve holds it. It is a fact
    /// (payment has paid), so it applies whenever the ledger's floors allow: when a reversal took back the deposit the
    /// approved refund came from, clearing goes below zero by the payout, and the reversal's receivable is what the
    /// customer owes for it (the floor of clearing, <see cref="LedgerAccounts.Floor"/>).
    /// </summary>
    public static Transfer RefundPaid(Guid refundId, decimal amount, PrepaidBook book)
    {
        var legs = new List<Leg>();
        var release = Math.Min(amount - book.Balance(LedgerAccount.PaymentsClearing), book.Balance(LedgerAccount.RiskReserve));
        if (release > 0)
        {
            legs.Add(new Leg(LedgerAccount.PaymentsClearing, LedgerAccount.RiskReserve, release));
        }

        legs.Add(new Leg(LedgerAccount.RefundsPayable, LedgerAccount.PaymentsClearing, amount));
        return new Transfer(IdFor("refund-paid", refundId), RefundPaidCode, legs);
    }

    /// <summary>Promotional credit granted (for example redeemed loyalty points), booked as a promotion expense.</summary>
    public static Transfer PromotionalCredit(Guid sourceId, decimal amount) =>
        new(IdFor("promotion", sourceId), "promotion.granted", [new Leg(LedgerAccount.Promotions, LedgerAccount.PromotionalCredit, amount)]);

    /// <summary>A stable transfer id for <paramref name="kind"/> caused by <paramref name="source"/>.</summary>
    public static Guid IdFor(string kind, Guid source) => PrepaidBook.DeterministicId($"{kind}:{source}");
}
