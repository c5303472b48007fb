using Platform.Billing.Commerce.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Consumption.Domain;

/// <summary>
/// The price of recorded usage of an extra service: the contract's own unit price when the contract lists the item
/// (with the contract's discount ratio, as its scheduled charges have), else the list price in effect when the contract
/// was signed (a signed contract keeps the prices of its signing day; no contract discount was given on it).
/// </summary>
public static class UsagePricing
{
    /// <summary>Total over subtotal: the share of list prices the contract's discounts leave to pay.</summary>
    public static decimal DiscountRatio(Contract contract) => contract.Subtotal > 0 ? contract.Total / contract.Subtotal : 1m;

    /// <summary>The amount of <paramref name="quantity"/> units of a usage item the contract lists.</summary>
    public static decimal OfContractLine(Contract contract, LineItem line, int quantity) =>
        DiscountStacking.Cents(line.UnitPrice * quantity * DiscountRatio(contract));

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
