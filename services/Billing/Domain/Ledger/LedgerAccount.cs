namespace Platform.Billing.Domain.Ledger;

/// <summary>The accounts each customer's book holds (domain file, "Prepaid ledger").</summary>
public enum LedgerAccount
{
    /// <summary>
    /// Money received through the payment service and not yet paid back out (asset, debit-normal). Below zero only when
    /// more was paid out than came in: a refund paid out of a payment that was then reversed (see <see cref="LedgerAccounts.Floor"/>).
    /// </summary>
    PaymentsClearing = 1,

    /// <summary>Refundable prepaid money held for the customer (liability), kept in dated lots.</summary>
    PrepaidCash = 2,

    /// <summary>Non-refundable promotional credit (liability).</summary>
    PromotionalCredit = 3,

    /// <summary>Prepaid money reserved for milestones (liability).</summary>
    Held = 4,

    /// <summary>Money the customer owes (asset, debit-normal).</summary>
    Receivable = 5,

    /// <summary>Recognized revenue, including expired prepaid funds.</summary>
    Revenue = 6,

    /// <summary>Approved refunds not yet paid out (liability).</summary>
    RefundsPayable = 7,

    /// <summary>
    /// The configured share of deposited cash set aside in the reserve (asset, debit-normal): moved out of payments
    /// clearing, so the customer's spendable balance is unchanged and no money is created.
    /// </summary>
    RiskReserve = 8,

    /// <summary>Cost of promotional credit granted (expense, debit-normal).</summary>
    Promotions = 9,
}

public static class LedgerAccounts
{
    /// <summary>Assets and expenses grow with debits; liabilities and revenue with credits.</summary>
    public static bool IsDebitNormal(this LedgerAccount account) =>
        account is LedgerAccount.PaymentsClearing or LedgerAccount.Receivable or LedgerAccount.Promotions or LedgerAccount.RiskReserve;

    /// <summary>
    /// The lowest balance the account may have: prepaid cash down to the contract's credit limit; payments clearing down
    /// to minus what the customer owes (money paid out that never came in — a refund of a payment later reversed — is
    /// lent to the customer, who owes it back as a receivable; clearing is short by it until they pay); every other
    /// account zero.
    /// </summary>
    /// <param name="receivable">The receivable balance in the same state (after the transfer being checked).</param>
    public static decimal Floor(this LedgerAccount account, decimal creditLimit, decimal receivable) => account switch
    {
        LedgerAccount.PrepaidCash => -creditLimit,
        LedgerAccount.PaymentsClearing => -Math.Max(0m, receivable),
        _ => 0m,
    };

    /// <summary>
    /// The transfers that may take payments clearing below zero (down to its <see cref="Floor"/>): a reversal of a deposit
    /// refunds were paid out of, the payout of a refund whose deposit was reversed, and a merge handing such a shortfall
    /// over with the debt that backs it.
    /// </summary>
    public static bool MayShortClearing(string transferCode) =>
        transferCode is Postings.ReversalCode or Postings.RefundPaidCode or MergePostings.OutCode or MergePostings.InCode;

    /// <summary>The change a posting makes to the account's balance in its normal direction.</summary>
    public static decimal Effect(this LedgerAccount account, bool debit, decimal amount) =>
        account.IsDebitNormal() == debit ? amount : -amount;
}
