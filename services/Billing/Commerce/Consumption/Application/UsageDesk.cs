using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Consumption.Application;

/// <param name="RequestId">The caller's request id: it names the usage's period, so the usage is charged once.</param>
public sealed record UsageRecord(Guid ContractId, string FeeItemCode, int Quantity, DateTimeOffset OccurredAt, string RequestId);

/// <summary>
/// Charges recorded usage of an extra service to a signed, active contract, at the contract's price
/// (<see cref="UsagePricing"/>), through the <see cref="ChargeDesk"/>. Usage is charged for every payment mode: neither
/// installments nor milestones bill extra services.
/// </summary>
public sealed class UsageDesk(BillingDb db, ChargeDesk charges, TimeProvider clock)
{
    public async Task<ContractCharge> RecordAsync(UsageRecord usage, CancellationToken ct)
    {
        var contract = await db.Set<Contract>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == usage.ContractId, ct)
            ?? throw ValidationException.For("contract_id", "no such contract", "UNKNOWN_CONTRACT");
        var amount = await PriceAsync(contract, usage.FeeItemCode, usage.Quantity, ct);
        if (usage.OccurredAt < contract.Terms.Start || usage.OccurredAt > clock.GetUtcNow())
        {
            throw ValidationException.For("usage_time", "must be between the contract's start and now");
        }

        UsagePricing.RequireActive(contract);
        return await charges.ChargeAsync(contract,
            new PlannedCharge(usage.FeeItemCode, FeeKind.Usage, ChargePlan.UsagePeriod(usage.RequestId), usage.Quantity, usage.OccurredAt, amount), ct);
    }

    private async Task<decimal> PriceAsync(Contract contract, string feeItemCode, int quantity, CancellationToken ct)
    {
        if (contract.Items.FirstOrDefault(i => i.FeeItemCode == feeItemCode) is { } line)
        {
            return line.Kind == FeeKind.Usage
                ? UsagePricing.OfContractLine(contract, line, quantity)
                : throw ValidationException.For("fee_item_code", "is not an extra-service (usage) fee item", "NOT_A_USAGE_ITEM");
        }

        var item = await db.Set<Product>().AsNoTracking().SelectMany(p => p.FeeItems).Where(f => f.Code == feeItemCode).FirstOrDefaultAsync(ct)
            ?? throw ValidationException.For("fee_item_code", "no such fee item", "UNKNOWN_FEE_ITEM");
        if (item.Kind != FeeKind.Usage)
        {
            throw ValidationException.For("fee_item_code", "is not an extra-service (usage) fee item", "NOT_A_USAGE_ITEM");
        }

        // The contract keeps the prices of its signing day.
        var signedAt = contract.SignedAt ?? contract.CreatedAt;
        var lists = await db.Set<PriceList>().AsNoTracking().Where(l => l.EffectiveFrom <= signedAt).ToListAsync(ct);
        var price = PriceList.InEffect(lists, signedAt)?.PriceOf(feeItemCode)
            ?? throw ValidationException.For("fee_item_code", "had no price when the contract was signed", "UNPRICED_FEE_ITEM");
        return UsagePricing.OfSigningPrice(price, quantity);
    }
}
