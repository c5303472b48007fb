namespace Platform.Billing.Commerce.Domain;

public enum DiscountKind
{
    Volume = 1,
    NewCustomer = 2,
    ReturningCustomer = 3,
    Coupon = 4,
}

public enum CustomerValueTier
{
    Unrated = 0,
    Low = 1,
    Mid = 2,
    High = 3,
}

/// <summary>A quantity from which a line gets <see cref="Percent"/> off.</summary>
public sealed record VolumeBreak(int MinQuantity, decimal Percent);

/// <summary>The discounts on offer (configuration Billing:Commerce:Discounts).</summary>
public sealed record DiscountPolicy(
    decimal NewCustomerPercent,
    IReadOnlyDictionary<CustomerValueTier, decimal> ReturningTierPercent,
    IReadOnlyList<VolumeBreak> VolumeBreaks,
    decimal MaxTotalPercent);

/// <summary>A priced quote line before discounts.</summary>
public sealed record PricedLine(string FeeItemCode, FeeKind Kind, int Quantity, decimal LineTotal);

public sealed record CouponTerms(string Code, int PercentOff, decimal AmountOff);

public sealed record AppliedDiscount(DiscountKind Kind, string Code, string Description, decimal Amount);

public sealed record DiscountResult(decimal Subtotal, IReadOnlyList<AppliedDiscount> Applied, decimal DiscountTotal, decimal Total);

/// <summary>
/// The stacking rule, in this order, each step on what the previous ones left:
/// 1. volume breaks, per recurring or usage line, the highest break the quantity reaches (one-time fees get none);
/// 2. one customer discount: the new-customer percent, or for a returning customer the percent of its value tier
///    (never both);
/// 3. the coupon: its percent, or its amount capped at what is left;
/// 4. the cap: all discounts together never exceed MaxTotalPercent of the subtotal; the excess is taken back from the
///    coupon first, then from the customer discount (volume breaks are never reduced).
/// Amounts are rounded to cents (half away from zero) at each step; a discount of zero is not listed.
/// </summary>
public static class DiscountStacking
{
    public static DiscountResult Apply(DiscountPolicy policy, IReadOnlyList<PricedLine> lines, bool returningCustomer,
        CustomerValueTier tier, CouponTerms? coupon)
    {
        var subtotal = lines.Sum(l => l.LineTotal);
        var applied = new List<AppliedDiscount>();

        foreach (var line in lines.Where(l => l.Kind != FeeKind.OneTime))
        {
            var best = policy.VolumeBreaks.Where(b => line.Quantity >= b.MinQuantity).MaxBy(b => b.Percent);
            if (best is not null)
            {
                applied.Add(new AppliedDiscount(DiscountKind.Volume, line.FeeItemCode,
                    $"{best.Percent}% off from {best.MinQuantity} units", Cents(line.LineTotal * best.Percent / 100m)));
            }
        }

        var left = subtotal - applied.Sum(a => a.Amount);
        var customer = returningCustomer
            ? policy.ReturningTierPercent.TryGetValue(tier, out var p) && p > 0
                ? new AppliedDiscount(DiscountKind.ReturningCustomer, tier.ToString().ToLowerInvariant(), $"returning customer, {tier} tier: {p}% off", Cents(left * p / 100m))
                : null
            : policy.NewCustomerPercent > 0
                ? new AppliedDiscount(DiscountKind.NewCustomer, "new", $"new customer: {policy.NewCustomerPercent}% off", Cents(left * policy.NewCustomerPercent / 100m))
                : null;
        left -= customer?.Amount ?? 0m;

        var couponDiscount = coupon is null
            ? null
            : new AppliedDiscount(DiscountKind.Coupon, coupon.Code,
                coupon.PercentOff > 0 ? $"coupon {coupon.Code}: {coupon.PercentOff}% off" : $"coupon {coupon.Code}: {coupon.AmountOff} off",
                coupon.PercentOff > 0 ? Cents(left * coupon.PercentOff / 100m) : Math.Min(coupon.AmountOff, left));

        var cap = Cents(subtotal * policy.MaxTotalPercent / 100m);
        var excess = applied.Sum(a => a.Amount) + (customer?.Amount ?? 0m) + (couponDiscount?.Amount ?? 0m) - cap;
        (couponDiscount, excess) = Reduce(couponDiscount, excess);
        (customer, _) = Reduce(customer, excess);

        foreach (var extra in new[] { customer, couponDiscount })
        {
            if (extra is { Amount: > 0 })
            {
                applied.Add(extra);
            }
        }

        var total = applied.Sum(a => a.Amount);
        return new DiscountResult(subtotal, applied.Where(a => a.Amount > 0).ToList(), total, subtotal - total);
    }

    private static (AppliedDiscount?, decimal) Reduce(AppliedDiscount? discount, decimal excess)
    {
        if (discount is null || excess <= 0)
        {
            return (discount, excess);
        }

        var taken = Math.Min(discount.Amount, excess);
        return (discount with { Amount = discount.Amount - taken, Description = discount.Description + " (capped)" }, excess - taken);
    }

    public static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}
