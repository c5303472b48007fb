using Platform.Billing.Domain.Ledger;

namespace Platform.Billing.Commerce.Consumption.Domain;

/// <summary>How a charge is posted to the customer's book.</summary>
public static class ChargePosting
{
    /// <summary>The transfer code of consumption (named in PrepaidBalanceChanged's documentation).</summary>
    public const string Code = "prepaid.consumed";

    /// <summary>The transfer id of a charge: derived from contract, fee item and period, so it is applied once.</summary>
    public static Guid TransferId(Guid contractId, string feeItemCode, string period) =>
        PrepaidBook.DeterministicId($"charge:{contractId}:{feeItemCode}:{period}");

    /// <summary>
    /// The consumption of <paramref name="amount"/> from <paramref name="book"/>: prepaid cash first (its lots are
    /// spent soonest-expiry first, as every debit of prepaid cash in the ledger is; promotional credit never expires),
    /// then promotional credit, and what both do not cover from prepaid cash again, which the ledger allows only as far
    /// as the account's credit limit (the contract allowing credit) and otherwise refuses with INSUFFICIENT_BALANCE.
    /// </summary>
    public static Transfer Consume(Guid transferId, decimal amount, PrepaidBook book)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        var fromCash = Math.Min(amount, Math.Max(0m, book.Balance(LedgerAccount.PrepaidCash)));
        var fromPromotion = Math.Min(amount - fromCash, Math.Max(0m, book.Balance(LedgerAccount.PromotionalCredit)));
        var onCredit = amount - fromCash - fromPromotion;
        var legs = new List<Leg>();
        if (fromCash + onCredit > 0)
        {
            legs.Add(new Leg(LedgerAccount.PrepaidCash, LedgerAccount.Revenue, fromCash + onCredit));
        }

        if (fromPromotion > 0)
        {
            legs.Add(new Leg(LedgerAccount.PromotionalCredit, LedgerAccount.Revenue, fromPromotion));
        }

        return new Transfer(transferId, Code, legs);
    }
}
