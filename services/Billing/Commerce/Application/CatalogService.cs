using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Application;

public sealed record PriceChange(DateTimeOffset EffectiveFrom, IReadOnlyList<(string FeeItemCode, decimal UnitPrice)> Entries);

public sealed record ScheduledPriceList(PriceList List, int AffectedContracts);

public sealed record PublishedPrices(PriceList? Current, IReadOnlyList<PriceList> Upcoming, IReadOnlyDictionary<string, (Product Product, FeeItem Item)> FeeItems);

/// <summary>Products, price list versions with their notice period, the published list, coupons.</summary>
public sealed class CatalogService(BillingDb db, IOptions<CommerceOptions> options, TimeProvider clock)
{
    public async Task<Product> CreateProductAsync(Product product, CancellationToken ct)
    {
        var codes = product.FeeItems.Select(f => f.Code).Append(product.Code).ToList();
        if (await db.Set<Product>().AnyAsync(p => p.Code == product.Code, ct))
        {
            throw new AlreadyExistsException("PRODUCT_EXISTS", $"product {product.Code} exists") { Metadata = { ["code"] = product.Code } };
        }

        var taken = await db.Set<Product>().SelectMany(p => p.FeeItems).Where(f => codes.Contains(f.Code)).Select(f => f.Code).FirstOrDefaultAsync(ct);
        if (taken is not null)
        {
            throw new AlreadyExistsException("FEE_ITEM_EXISTS", $"fee item {taken} exists") { Metadata = { ["fee_item_code"] = taken } };
        }

        db.Set<Product>().Add(product);
        await db.SaveChangesAsync(ct);
        return product;
    }

    /// <summary>
    /// A new price list version carrying the prices it sets. Changing a price someone may hold needs the notice period;
    /// pricing new fee items does not. Lists each signed contract the change reaches in PriceChangeScheduled.
    /// </summary>
    public async Task<ScheduledPriceList> ScheduleAsync(PriceChange change, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var known = await FeeItemsAsync(ct);
        var check = new Validator();
        for (var i = 0; i < change.Entries.Count; i++)
        {
            check.Require(known.ContainsKey(change.Entries[i].FeeItemCode), $"entries[{i}].fee_item_code", "is not a fee item of the catalog");
        }

        check.ThrowIfInvalid();

        // One scheduler at a time, so versions and the affected-contract list are computed against a settled catalog.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext('billing.price_lists'))", ct);
        var lists = await db.Set<PriceList>().AsNoTracking().ToListAsync(ct);
        var o = options.Value;
        var newItemsOnly = change.Entries.All(e => lists.All(l => l.PriceOf(e.FeeItemCode) is null));
        if (!PriceNotice.IsEnough(now, change.EffectiveFrom, newItemsOnly, o.PriceChangeNoticeDays, o.MinimumPriceChangeNoticeDays))
        {
            var earliest = PriceNotice.EarliestEffective(now, o.PriceChangeNoticeDays, o.MinimumPriceChangeNoticeDays);
            throw new PreconditionFailedException("PRICE_CHANGE_NOTICE_TOO_SHORT", "effective_time",
                $"a price change effective {change.EffectiveFrom:yyyy-MM-dd} gives less than {PriceNotice.RequiredDays(o.PriceChangeNoticeDays, o.MinimumPriceChangeNoticeDays)} days' notice; the earliest allowed effective date is {earliest:yyyy-MM-dd'T'HH:mm:ss'Z'}")
            {
                Metadata = { ["earliest_effective_time"] = earliest.ToString("O") },
            };
        }

        var list = new PriceList
        {
            Id = Guid.CreateVersion7(),
            Version = lists.Count == 0 ? 1 : lists.Max(l => l.Version) + 1,
            Currency = o.Currency,
            EffectiveFrom = change.EffectiveFrom,
            ScheduledAt = now,
            Entries = change.Entries.Select(e => new PriceListEntry { FeeItemCode = e.FeeItemCode, UnitPrice = e.UnitPrice }).ToList(),
        };
        db.Set<PriceList>().Add(list);

        var affected = await AffectedAsync(list, lists, change.Entries.Select(e => e.FeeItemCode).ToHashSet(), ct);
        db.Enqueue(new PriceChangeScheduled(Guid.CreateVersion7(), now, list.Id, list.Version, list.EffectiveFrom, list.Currency, affected), clock);
        await db.SaveChangesAsync(ct);
        return new ScheduledPriceList(list, affected.Select(a => a.ContractId).Distinct().Count());
    }

    private async Task<List<AffectedContract>> AffectedAsync(PriceList change, List<PriceList> before, HashSet<string> changedCodes, CancellationToken ct)
    {
        var contracts = await db.Set<Contract>().AsSplitQuery().AsNoTracking()
            .Where(c => c.State == ContractState.Signed && c.Entitlement != EntitlementState.Terminated)
            // An item a signed amendment added is the contract's as much as its own (the charge schedule charges it).
            .Where(c => c.Items.Any(i => changedCodes.Contains(i.FeeItemCode))
                || db.Set<Amendment>().Any(a => a.ContractId == c.Id && a.SignedAt != null && a.Items.Any(i => changedCodes.Contains(i.FeeItemCode))))
            .ToListAsync(ct);
        var affected = new List<AffectedContract>();
        foreach (var contract in contracts.OrderBy(c => c.Id))
        {
            var terms = await PriceTermsAsync(contract, ct);
            foreach (var code in changedCodes.Where(terms.AgreedPrices.ContainsKey).Order(StringComparer.Ordinal))
            {
                if (ContractPricing.Impact(terms, code, change, before) is { } impact)
                {
                    affected.Add(new AffectedContract(contract.Id, contract.CustomerId, code, impact.OldPrice, impact.NewPrice, impact.EffectiveAt));
                }
            }
        }

        return affected;
    }

    /// <summary>The pricing view of a signed contract: its items and those of its signed amendments at their agreed prices.</summary>
    public async Task<ContractPriceTerms> PriceTermsAsync(Contract contract, CancellationToken ct)
    {
        var amended = await db.Set<Amendment>().AsSplitQuery().AsNoTracking()
            .Where(a => a.ContractId == contract.Id && a.SignedAt != null).OrderBy(a => a.Sequence).ToListAsync(ct);
        var prices = contract.Items.ToDictionary(i => i.FeeItemCode, i => i.UnitPrice);
        foreach (var item in amended.SelectMany(a => a.Items))
        {
            prices[item.FeeItemCode] = item.UnitPrice;
        }

        return new ContractPriceTerms(contract.Terms.Start, contract.TermMonths, contract.Terms.AutoRenew, contract.Terms.PriceFollowsList, prices);
    }

    public async Task<PublishedPrices> PublishedAsync(DateTimeOffset? asOf, CancellationToken ct)
    {
        var at = asOf ?? clock.GetUtcNow();
        var lists = await db.Set<PriceList>().AsNoTracking().OrderBy(l => l.EffectiveFrom).ThenBy(l => l.Version).ToListAsync(ct);
        var current = PriceList.InEffect(lists, at);
        return new PublishedPrices(current, lists.Where(l => l.EffectiveFrom > at).ToList(), await FeeItemsAsync(ct));
    }

    public async Task<IReadOnlyDictionary<string, (Product Product, FeeItem Item)>> FeeItemsAsync(CancellationToken ct)
    {
        var products = await db.Set<Product>().AsNoTracking().ToListAsync(ct);
        return products.SelectMany(p => p.FeeItems.Select(f => (p, f))).ToDictionary(x => x.f.Code, x => (x.p, x.f));
    }

    public async Task<Coupon> CreateCouponAsync(Coupon coupon, CancellationToken ct)
    {
        if (await db.Set<Coupon>().AnyAsync(c => c.Code == coupon.Code, ct))
        {
            throw new AlreadyExistsException("COUPON_EXISTS", $"coupon {coupon.Code} exists") { Metadata = { ["code"] = coupon.Code } };
        }

        db.Set<Coupon>().Add(coupon);
        await db.SaveChangesAsync(ct);
        return coupon;
    }
}
