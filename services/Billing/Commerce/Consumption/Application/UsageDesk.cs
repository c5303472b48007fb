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
        var contract = await db.Set<Contract>().AsSplitQuery().AsNoTracking().SingleOrDefaultAsync(c => c.Id == usage.ContractId, ct)
            ?? throw ValidationException.For("contract_id", "no such contract", "UNKNOWN_CONTRACT");
        if (usage.OccurredAt < contract.Terms.Start || usage.OccurredAt > clock.GetUtcNow())
        {
            throw ValidationException.For("usage_time", "must be between the contract's start and now");
        }

        var price = await PriceAsync(contract, usage, ct);
        UsagePricing.RequireActive(contract);
        return await charges.ChargeAsync(contract,
            new PlannedCharge(usage.FeeItemCode, FeeKind.Usage, ChargePlan.UsagePeriod(usage.RequestId), usage.Quantity, usage.OccurredAt, price.Amount,
                price.AmendmentId), ct);
    }

    private async Task<UsagePrice> PriceAsync(Contract contract, UsageRecord usage, CancellationToken ct)
    {
        var code = usage.FeeItemCode;
        // Only the amendments in force when the usage happened count, as with the price lists below.
        var amendments = await db.Set<Amendment>().AsSplitQuery().AsNoTracking()
            .Where(a => a.ContractId == contract.Id && a.SignedAt != null && a.SignedAt <= usage.OccurredAt).ToListAsync(ct);
        // An item on neither the contract nor an amendment in force then must be a usage item of the catalog.
        if (!contract.Items.Concat(amendments.SelectMany(a => a.Items)).Any(i => i.FeeItemCode == code))
        {
            var item = await db.Set<Product>().AsNoTracking().SelectMany(p => p.FeeItems).Where(f => f.Code == code).FirstOrDefaultAsync(ct)
                ?? throw ValidationException.For("fee_item_code", "no such fee item", "UNKNOWN_FEE_ITEM");
            if (item.Kind != FeeKind.Usage)
            {
                throw UsagePricing.NotAUsageItem();
            }
        }

        // Versions only carry their changes, and no price applies before it is in effect.
        var lists = await db.Set<PriceList>().AsNoTracking().Where(l => l.EffectiveFrom <= usage.OccurredAt).ToListAsync(ct);
        return UsagePricing.Of(contract, amendments, code, usage.Quantity, usage.OccurredAt, lists);
    }
}
