using Platform.Billing.Commerce.Domain;

namespace Platform.Tests.Unit.Billing.Commerce;

public sealed class DiscountStackingTests
{
    private static readonly DiscountPolicy Policy = new(
        NewCustomerPercent: 5m,
        ReturningTierPercent: new Dictionary<CustomerValueTier, decimal> { [CustomerValueTier.Low] = 2m, [CustomerValueTier.High] = 8m },
        VolumeBreaks: [new VolumeBreak(10, 5m), new VolumeBreak(50, 10m)],
        MaxTotalPercent: 25m);

    private static readonly PricedLine Setup = new("crm.setup", FeeKind.OneTime, 1, 1000m);

    [Fact]
    public void New_customer_gets_the_new_customer_discount_and_no_tier_discount()
    {
        var result = DiscountStacking.Apply(Policy, [Setup], returningCustomer: false, CustomerValueTier.High, coupon: null);

        var only = Assert.Single(result.Applied);
        Assert.Equal(DiscountKind.NewCustomer, only.Kind);
        Assert.Equal(50m, only.Amount);
        Assert.Equal(950m, result.Total);
    }

    [Fact]
    public void Returning_customer_gets_the_percent_of_its_tier()
    {
        var result = DiscountStacking.Apply(Policy, [Setup], returningCustomer: true, CustomerValueTier.High, coupon: null);

        Assert.Equal([(DiscountKind.ReturningCustomer, 80m)], result.Applied.Select(a => (a.Kind, a.Amount)));
    }

    [Fact]
    public void Volume_break_applies_per_recurring_line_at_the_highest_break_reached_and_never_to_one_time_fees()
    {
        var seats = new PricedLine("crm.seat", FeeKind.RecurringMonthly, 60, 6000m);
        var bigSetup = Setup with { Quantity = 100 };

        var result = DiscountStacking.Apply(Policy with { NewCustomerPercent = 0m }, [bigSetup, seats], false, CustomerValueTier.Unrated, null);

        var volume = Assert.Single(result.Applied);
        Assert.Equal(("crm.seat", 600m), (volume.Code, volume.Amount));
    }

    [Fact]
    public void Each_step_works_on_what_the_previous_left_volume_then_customer_then_coupon()
    {
        var seats = new PricedLine("crm.seat", FeeKind.RecurringMonthly, 10, 1000m);

        var result = DiscountStacking.Apply(Policy, [seats], false, CustomerValueTier.Unrated, new CouponTerms("SPRING", 10, 0m));

        // 1000 − 5% volume = 950; − 5% new customer (47.50) = 902.50; − 10% coupon (90.25) = 812.25.
        Assert.Equal([(DiscountKind.Volume, 50m), (DiscountKind.NewCustomer, 47.50m), (DiscountKind.Coupon, 90.25m)],
            result.Applied.Select(a => (a.Kind, a.Amount)));
        Assert.Equal(812.25m, result.Total);
        Assert.Equal(result.Subtotal, result.Total + result.DiscountTotal);
    }

    [Fact]
    public void Cap_takes_the_excess_back_from_the_coupon_first_and_never_from_volume()
    {
        var seats = new PricedLine("crm.seat", FeeKind.RecurringMonthly, 50, 1000m);

        var result = DiscountStacking.Apply(Policy, [seats], false, CustomerValueTier.Unrated, new CouponTerms("BIG", 0, 500m));

        // volume 100, new customer 45, coupon capped to 250 − 145 = 105.
        Assert.Equal([(DiscountKind.Volume, 100m), (DiscountKind.NewCustomer, 45m), (DiscountKind.Coupon, 105m)],
            result.Applied.Select(a => (a.Kind, a.Amount)));
        Assert.Equal(250m, result.DiscountTotal);
        Assert.Contains("capped", result.Applied[2].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixed_coupon_never_takes_the_total_below_zero()
    {
        var small = new PricedLine("crm.usage", FeeKind.Usage, 1, 10m);

        var result = DiscountStacking.Apply(Policy with { MaxTotalPercent = 100m, NewCustomerPercent = 0m }, [small], false, CustomerValueTier.Unrated,
            new CouponTerms("HUGE", 0, 500m));

        Assert.Equal(0m, result.Total);
        Assert.Equal(10m, result.Applied.Single().Amount);
    }
}
