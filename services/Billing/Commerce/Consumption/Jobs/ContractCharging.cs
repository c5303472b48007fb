using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Consumption.Application;
using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Scheduling;

namespace Platform.Billing.Commerce.Consumption.Jobs;

/// <summary>
/// Charges every prepaid contract what its <see cref="ChargePlan"/> has due up to now (initial fees, service months,
/// the lines of its signed amendments, at the prices its terms take from the price list) and records the months it
/// waives. Each charge is keyed by contract, fee item and period, so a round that runs again, a second replica or a
/// restart after a crash charges nothing twice. Per round the price list versions are read once and the signed
/// amendments once per batch of contracts.
/// </summary>
public sealed class ContractCharging(BillingDb db, ChargeDesk desk, IOptions<ConsumptionOptions> options, ILogger<ContractCharging> log)
{
    public async Task<int> ChargeDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var handled = 0;
        var renewals = options.Value.ChargeRenewedTerms;
        IReadOnlyList<PriceList>? lists = null;
        Guid? after = null;
        while (true)
        {
            // Contracts started and not yet settled for every period of their first term (usage rows are not scheduled
            // ones); those with a signed amendment, whose lines that count does not know of; and, when renewed terms are
            // charged, the auto-renewing ones, whose schedule has no end.
            var query = db.Set<Contract>().AsSplitQuery().AsNoTracking()
                .Where(c => c.State == ContractState.Signed && c.Terms.PaymentMode == PaymentMode.Prepaid && c.Terms.Start <= now)
                .Where(c => db.Set<ContractCharge>().Count(x => x.ContractId == c.Id && x.Kind != FeeKind.Usage)
                        < c.Items.Count(i => i.Kind == FeeKind.OneTime) + c.Items.Where(i => i.Kind == FeeKind.RecurringMonthly).Sum(i => i.Months)
                    || db.Set<Amendment>().Any(a => a.ContractId == c.Id && a.SignedAt != null && a.SignedAt <= now)
                    || (renewals && c.Terms.AutoRenew));
            if (after is { } last)
            {
                query = query.Where(c => c.Id.CompareTo(last) > 0);
            }

            var batch = await query.OrderBy(c => c.Id).Take(options.Value.BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return handled;
            }

            var ids = batch.Select(c => c.Id).ToList();
            var settled = (await db.Set<ContractCharge>().AsNoTracking().Where(x => ids.Contains(x.ContractId) && x.Kind != FeeKind.Usage)
                    .Select(x => new { x.ContractId, x.FeeItemCode, x.Period }).ToListAsync(ct))
                .ToLookup(x => x.ContractId, x => ChargePlan.Key(x.FeeItemCode, x.Period));
            var amendments = (await db.Set<Amendment>().AsSplitQuery().AsNoTracking().Where(a => ids.Contains(a.ContractId) && a.SignedAt != null && a.SignedAt <= now)
                .ToListAsync(ct)).ToLookup(a => a.ContractId);
            // Versions only carry their changes and no contract pays a price before it is in effect: those in effect now.
            lists ??= await db.Set<PriceList>().AsNoTracking().Where(l => l.EffectiveFrom <= now).ToListAsync(ct);
            foreach (var contract in batch)
            {
                var basis = new ChargeBasis(amendments[contract.Id].ToList(), lists, renewals);
                foreach (var due in ChargePlan.Due(contract, basis, now, settled[contract.Id].ToHashSet()))
                {
                    try
                    {
                        _ = due.Decision == ChargeDecision.Waive
                            ? await desk.WaiveAsync(contract, due.Charge, ct)
                            : await desk.ChargeAsync(contract, due.Charge, ct);
                        handled++;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // One contract's failure does not hold back the others; its charge is tried again next round.
                        db.ChangeTracker.Clear();
                        log.LogWarning(e, "Charge {Period} of {FeeItem} on contract {ContractId} failed; it is tried again next round",
                            due.Charge.Period, due.Charge.FeeItemCode, contract.Id);
                        break;
                    }
                }
            }

            after = batch[^1].Id;
        }
    }
}

/// <summary>Runs <see cref="ContractCharging"/> every Billing:Consumption:Interval, on one replica at a time.</summary>
public sealed class ContractChargingJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ConsumptionOptions> options, ILogger<ContractChargingJob> log)
    : ScheduledJob<BillingDb>(scopes, clock, log)
{
    protected override string Name => "billing.contract-charging";

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct) =>
        services.GetRequiredService<ContractCharging>().ChargeDueAsync(now, ct);
}
