namespace Platform.Billing.Commerce.Domain;

public enum FeeKind
{
    OneTime = 1,
    RecurringMonthly = 2,
    Usage = 3,
}

/// <summary>A product or service sold, with the fee items it is charged by.</summary>
public sealed class Product
{
    public Guid Id { get; init; }

    public required string Code { get; init; }

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public List<FeeItem> FeeItems { get; init; } = [];
}

/// <summary>One way a product is charged: an initial fee, a monthly fee, or an extra service per unit.</summary>
public sealed class FeeItem
{
    public required string Code { get; init; }

    public required string Name { get; init; }

    public FeeKind Kind { get; init; }
}

/// <summary>A version of the price list, in effect from its effective date until the next version's.</summary>
public sealed class PriceList
{
    public Guid Id { get; init; }

    public int Version { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset EffectiveFrom { get; init; }

    public DateTimeOffset ScheduledAt { get; init; }

    /// <summary>The prices this version sets; every other fee item keeps its price from the versions before.</summary>
    public List<PriceListEntry> Entries { get; init; } = [];

    public decimal? PriceOf(string feeItemCode) => Entries.FirstOrDefault(e => e.FeeItemCode == feeItemCode)?.UnitPrice;

    /// <summary>
    /// The list in effect at <paramref name="at"/>: each fee item at the price of the latest version in effect that
    /// prices it. Versions only carry their changes, so one scheduled between two others never hides the later one.
    /// </summary>
    public static PriceList? InEffect(IReadOnlyList<PriceList> versions, DateTimeOffset at)
    {
        var effective = versions.Where(v => v.EffectiveFrom <= at).OrderBy(v => v.EffectiveFrom).ThenBy(v => v.Version).ToList();
        if (effective.Count == 0)
        {
            return null;
        }

        var prices = new Dictionary<string, decimal>();
        foreach (var entry in effective.SelectMany(v => v.Entries))
        {
            prices[entry.FeeItemCode] = entry.UnitPrice;
        }

        var latest = effective[^1];
        return new PriceList
        {
            Id = latest.Id,
            Version = latest.Version,
            Currency = latest.Currency,
            EffectiveFrom = latest.EffectiveFrom,
            ScheduledAt = latest.ScheduledAt,
            Entries = prices.Select(p => new PriceListEntry { FeeItemCode = p.Key, UnitPrice = p.Value }).ToList(),
        };
    }
}

public sealed class PriceListEntry
{
    public required string FeeItemCode { get; init; }

    public decimal UnitPrice { get; init; }
}

/// <summary>A single-use coupon (issued by an administrator or by loyalty), percent or amount off.</summary>
public sealed class Coupon
{
    public Guid Id { get; init; }

    public required string Code { get; init; }

    /// <summary>The only customer who may use it; null for anyone.</summary>
    public Guid? CustomerId { get; init; }

    public int PercentOff { get; init; }

    public decimal AmountOff { get; init; }

    public DateTimeOffset ValidUntil { get; init; }

    public Guid? RedeemedByContractId { get; set; }

    public uint Version { get; set; }

    public bool UsableBy(Guid customerId, DateTimeOffset now) =>
        RedeemedByContractId is null && now <= ValidUntil && (CustomerId is null || CustomerId == customerId);
}
