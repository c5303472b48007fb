namespace Platform.Billing.Commerce.Domain;

/// <summary>What pricing needs to know of a signed contract.</summary>
/// <param name="AgreedPrices">Unit price of each fee item at signing.</param>
public sealed record ContractPriceTerms(
    DateTimeOffset Start,
    int TermMonths,
    bool AutoRenew,
    bool PriceFollowsList,
    IReadOnlyDictionary<string, decimal> AgreedPrices);

/// <summary>The price of one fee item for one contract once a change applies to it.</summary>
public sealed record PriceChangeImpact(string FeeItemCode, decimal OldPrice, decimal NewPrice, DateTimeOffset EffectiveAt);

/// <summary>
/// Which list price a signed contract pays, and when. A contract keeps its agreed price until a renewal, where it takes
/// the list in effect on the renewal date; a contract whose terms say it follows the list takes every version signed
/// after it from that version's effective date. A monthly fee is charged at the price in effect on the first day of its
/// billing cycle, so of two changes inside one cycle only the later one is ever charged.
/// </summary>
public static class ContractPricing
{
    public static DateTimeOffset End(ContractPriceTerms c) => c.Start.AddMonths(c.TermMonths);

    /// <summary>The unit price the contract pays for <paramref name="feeItemCode"/> at <paramref name="at"/>, given the
    /// price list versions (any order) known then.</summary>
    public static decimal PriceOn(ContractPriceTerms c, string feeItemCode, DateTimeOffset at, IReadOnlyList<PriceList> lists)
    {
        var agreed = c.AgreedPrices[feeItemCode];
        if (c.PriceFollowsList)
        {
            return LatestEffective(lists, feeItemCode, at, after: c.Start) ?? agreed;
        }

        var renewal = LastRenewalOnOrBefore(c, at);
        return renewal is { } r ? LatestEffective(lists, feeItemCode, r, after: null) ?? agreed : agreed;
    }

    /// <summary>The price of the billing cycle (month) containing <paramref name="at"/>: the price on its first day.</summary>
    public static decimal MonthlyChargeFor(ContractPriceTerms c, string feeItemCode, DateTimeOffset at, IReadOnlyList<PriceList> lists)
    {
        var months = 0;
        while (c.Start.AddMonths(months + 1) <= at)
        {
            months++;
        }

        return PriceOn(c, feeItemCode, c.Start.AddMonths(months), lists);
    }

    /// <summary>
    /// The impact on the contract of the new version <paramref name="change"/>, given the versions that existed before
    /// it; null when its price does not change or the change never reaches it (no renewal on or after the date).
    /// </summary>
    public static PriceChangeImpact? Impact(ContractPriceTerms c, string feeItemCode, PriceList change, IReadOnlyList<PriceList> before)
    {
        if (!c.AgreedPrices.ContainsKey(feeItemCode) || change.PriceOf(feeItemCode) is not { } newPrice)
        {
            return null;
        }

        DateTimeOffset? applies = c.PriceFollowsList
            ? (change.EffectiveFrom < End(c) || c.AutoRenew ? Max(change.EffectiveFrom, c.Start) : null)
            : NextRenewalOnOrAfter(c, change.EffectiveFrom);
        if (applies is not { } at)
        {
            return null;
        }

        // The price paid just before the change reaches the contract, counting versions already scheduled.
        var oldPrice = PriceOn(c, feeItemCode, at.AddTicks(-1), before);
        return oldPrice == newPrice ? null : new PriceChangeImpact(feeItemCode, oldPrice, newPrice, at);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static decimal? LatestEffective(IReadOnlyList<PriceList> lists, string feeItemCode, DateTimeOffset at, DateTimeOffset? after) =>
        lists.Where(l => l.EffectiveFrom <= at && (after is null || l.EffectiveFrom > after) && l.PriceOf(feeItemCode) is not null)
            .OrderByDescending(l => l.EffectiveFrom).ThenByDescending(l => l.Version)
            .Select(l => l.PriceOf(feeItemCode)).FirstOrDefault();

    private static DateTimeOffset? LastRenewalOnOrBefore(ContractPriceTerms c, DateTimeOffset at)
    {
        if (!c.AutoRenew)
        {
            return null;
        }

        DateTimeOffset? last = null;
        for (var k = 1; c.Start.AddMonths(k * c.TermMonths) <= at; k++)
        {
            last = c.Start.AddMonths(k * c.TermMonths);
        }

        return last;
    }

    private static DateTimeOffset? NextRenewalOnOrAfter(ContractPriceTerms c, DateTimeOffset at)
    {
        if (!c.AutoRenew)
        {
            return null;
        }

        var k = 1;
        while (c.Start.AddMonths(k * c.TermMonths) < at)
        {
            k++;
        }

        return c.Start.AddMonths(k * c.TermMonths);
    }
}
