using Platform.Billing.Commerce.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Consumption.Domain;

/// <summary>What a usage costs, and the signed amendment whose line priced it (null for the contract's own terms).</summary>
public sealed record UsagePrice(decimal Amount, Guid? AmendmentId);

/// <summary>
/// The price of recorded usage of an extra service, as of the moment it was used. The line that prices it is that of the
/// last amendment signed on or before that moment (by signing time, then sequence) that lists the item, else the
/// contract's own line; an item on neither is priced by the list in effect when the contract was signed. The unit price
/// is then the one the contract pays at that moment (<see cref="ContractPricing.PriceOn"/>, with the line's price as the
/// agreed one): kept until a renewal, or following the list when the contract's terms say so. A contract line pays it
/// times the contract's discount ratio, as its scheduled charges do; an amendment's line and an item off the contract
/// were given no discount and pay the plain price (the same rules as <see cref="ChargePlan"/>'s monthly charges).
/// </summary>
public static class UsagePricing
{
    /// <summary>
    /// The price of <paramref name="quantity"/> units of <paramref name="feeItemCode"/> used at <paramref name="at"/>.
    /// Refused naming fee_item_code when the line that would price it is not a usage item, or when an item off the
    /// contract had no price on the signing day.
    /// </summary>
    /// <param name="amendments">The contract's amendments (any order; unsigned ones are not counted).</param>
    /// <param name="lists">The price list versions in effect at <paramref name="at"/> (any order).</param>
    public static UsagePrice Of(Contract contract, IReadOnlyList<Amendment> amendments, string feeItemCode, int quantity, DateTimeOffset at,
        IReadOnlyList<PriceList> lists)
    {
        var amended = amendments.Where(a => a.ContractId == contract.Id && a.SignedAt <= at)
            .OrderBy(a => a.SignedAt).ThenBy(a => a.Sequence)
            .Select(a => (Amendment: a, Line: a.Items.FirstOrDefault(i => i.FeeItemCode == feeItemCode)))
            .LastOrDefault(x => x.Line is not null);
        if (amended.Line is { } amendedLine)
        {
            return new UsagePrice(DiscountStacking.Cents(PriceAt(contract, RequireUsage(amendedLine).UnitPrice, feeItemCode, at, lists) * quantity),
                amended.Amendment.Id);
        }

        if (contract.Items.FirstOrDefault(i => i.FeeItemCode == feeItemCode) is { } line)
        {
            var price = PriceAt(contract, RequireUsage(line).UnitPrice, feeItemCode, at, lists);
            return new UsagePrice(DiscountStacking.Cents(price * quantity * DiscountRatio(contract)), null);
        }

        // The contract keeps the prices of its signing day.
        var signedAt = contract.SignedAt ?? contract.CreatedAt;
        var signingPrice = PriceList.InEffect(lists, signedAt)?.PriceOf(feeItemCode)
            ?? throw ValidationException.For("fee_item_code", "had no price when the contract was signed", "UNPRICED_FEE_ITEM");
        return new UsagePrice(OfSigningPrice(PriceAt(contract, signingPrice, feeItemCode, at, lists), quantity), null);
    }

    /// <summary>The unit price the contract pays at <paramref name="at"/> for an item whose agreed price is <paramref name="agreed"/>.</summary>
    private static decimal PriceAt(Contract contract, decimal agreed, string feeItemCode, DateTimeOffset at, IReadOnlyList<PriceList> lists) =>
        ContractPricing.PriceOn(new ContractPriceTerms(contract.Terms.Start, contract.TermMonths, contract.Terms.AutoRenew, contract.Terms.PriceFollowsList,
            new Dictionary<string, decimal> { [feeItemCode] = agreed }), feeItemCode, at, lists);

    private static LineItem RequireUsage(LineItem line) => line.Kind == FeeKind.Usage ? line : throw NotAUsageItem();

    /// <summary>The refusal of usage recorded against a fee item that is not an extra service.</summary>
    public static ValidationException NotAUsageItem() =>
        ValidationException.For("fee_item_code", "is not an extra-service (usage) fee item", "NOT_A_USAGE_ITEM");

    /// <summary>Total over subtotal: the share of list prices the contract's discounts leave to pay.</summary>
    public static decimal DiscountRatio(Contract contract) => contract.Subtotal > 0 ? contract.Total / contract.Subtotal : 1m;

    /// <summary>The amount of <paramref name="quantity"/> units priced by the list the contract was signed under.</summary>
    public static decimal OfSigningPrice(decimal unitPrice, int quantity) => DiscountStacking.Cents(unitPrice * quantity);

    /// <summary>Usage is recorded only against a signed contract whose service is active.</summary>
    public static void RequireActive(Contract contract)
    {
        var subject = $"contracts/{contract.Id}";
        if (contract.State != ContractState.Signed)
        {
            throw new PreconditionFailedException("CONTRACT_NOT_SIGNED", subject, "usage is charged only to a signed contract");
        }

        if (contract.Entitlement != EntitlementState.Active)
        {
            throw new PreconditionFailedException("ENTITLEMENT_NOT_ACTIVE", subject,
                $"the contract is {contract.Entitlement.ToString().ToLowerInvariant()}: no usage is charged to it");
        }
    }
}
