using Platform.Billing.Commerce.Domain;

namespace Platform.Tests.Unit.Billing.Commerce;

/// <summary>Regression tests for price changes reaching signed contracts.</summary>
public sealed class ContractPricingTests
{
    private const string Seat = "crm.seat";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PriceList V1 = List(1, new(2025, 12, 1, 0, 0, 0, TimeSpan.Zero), 100m);

    private static PriceList List(int version, DateTimeOffset effective, decimal seat) => new()
    {
        Id = Guid.NewGuid(),
        Version = version,
        Currency = "CNY",
        EffectiveFrom = effective,
        Entries = [new PriceListEntry { FeeItemCode = Seat, UnitPrice = seat }],
    };

    private static ContractPriceTerms Contract(bool followsList, bool autoRenew = true) =>
        new(Start, 12, autoRenew, followsList, new Dictionary<string, decimal> { [Seat] = 100m });

    [Fact]
    public void Two_changes_in_one_billing_cycle_a_following_contract_is_charged_only_the_later_from_the_next_cycle()
    {
        var v2 = List(2, new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), 120m);
        var v3 = List(3, new(2026, 3, 20, 0, 0, 0, TimeSpan.Zero), 130m);
        var contract = Contract(followsList: true);

        var first = ContractPricing.Impact(contract, Seat, v2, [V1]);
        var second = ContractPricing.Impact(contract, Seat, v3, [V1, v2]);

        Assert.Equal(new PriceChangeImpact(Seat, 100m, 120m, v2.EffectiveFrom), first);
        // The second notice counts the first change as already scheduled: its old price is 120, not 100.
        Assert.Equal(new PriceChangeImpact(Seat, 120m, 130m, v3.EffectiveFrom), second);
        Assert.Equal(100m, ContractPricing.MonthlyChargeFor(contract, Seat, new(2026, 3, 25, 0, 0, 0, TimeSpan.Zero), [V1, v2, v3]));
        Assert.Equal(130m, ContractPricing.MonthlyChargeFor(contract, Seat, new(2026, 4, 2, 0, 0, 0, TimeSpan.Zero), [V1, v2, v3]));
    }

    [Fact]
    public void Two_changes_in_one_billing_cycle_a_contract_keeping_its_price_takes_the_later_at_renewal()
    {
        var v2 = List(2, new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), 120m);
        var v3 = List(3, new(2026, 3, 20, 0, 0, 0, TimeSpan.Zero), 130m);
        var contract = Contract(followsList: false);
        var renewal = Start.AddMonths(12);

        Assert.Equal(new PriceChangeImpact(Seat, 100m, 120m, renewal), ContractPricing.Impact(contract, Seat, v2, [V1]));
        Assert.Equal(new PriceChangeImpact(Seat, 100m, 130m, renewal), ContractPricing.Impact(contract, Seat, v3, [V1, v2]));
        Assert.Equal(100m, ContractPricing.PriceOn(contract, Seat, renewal.AddDays(-1), [V1, v2, v3]));
        Assert.Equal(130m, ContractPricing.PriceOn(contract, Seat, renewal, [V1, v2, v3]));
    }

    [Fact]
    public void A_change_effective_on_a_renewal_date_applies_from_that_renewal()
    {
        var renewal = Start.AddMonths(12);
        var v2 = List(2, renewal, 150m);
        var contract = Contract(followsList: false);

        Assert.Equal(new PriceChangeImpact(Seat, 100m, 150m, renewal), ContractPricing.Impact(contract, Seat, v2, [V1]));
        Assert.Equal(100m, ContractPricing.MonthlyChargeFor(contract, Seat, renewal.AddTicks(-1), [V1, v2]));
        Assert.Equal(150m, ContractPricing.MonthlyChargeFor(contract, Seat, renewal, [V1, v2]));
        Assert.Equal(150m, ContractPricing.MonthlyChargeFor(contract, Seat, renewal.AddDays(5), [V1, v2]));
    }

    [Fact]
    public void A_change_a_day_after_a_renewal_waits_for_the_next_renewal()
    {
        var renewal = Start.AddMonths(12);
        var v2 = List(2, renewal.AddDays(1), 150m);

        Assert.Equal(new PriceChangeImpact(Seat, 100m, 150m, renewal.AddMonths(12)), ContractPricing.Impact(Contract(followsList: false), Seat, v2, [V1]));
    }

    [Fact]
    public void A_contract_keeping_its_price_that_does_not_renew_is_not_affected()
    {
        var v2 = List(2, new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), 150m);

        Assert.Null(ContractPricing.Impact(Contract(followsList: false, autoRenew: false), Seat, v2, [V1]));
        Assert.Equal(100m, ContractPricing.PriceOn(Contract(followsList: false, autoRenew: false), Seat, new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), [V1, v2]));
    }

    [Fact]
    public void An_unchanged_price_is_not_an_impact() =>
        Assert.Null(ContractPricing.Impact(Contract(followsList: true), Seat, List(2, new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), 100m), [V1]));

    [Theory]
    [InlineData(30, 30, 30)]
    [InlineData(10, 30, 30)]
    [InlineData(45, 30, 45)]
    public void Notice_is_the_configured_period_never_below_the_minimum(int notice, int minimum, int required)
    {
        var now = Start;

        Assert.Equal(required, PriceNotice.RequiredDays(notice, minimum));
        Assert.False(PriceNotice.IsEnough(now, now.AddDays(required).AddSeconds(-1), newItemsOnly: false, notice, minimum));
        Assert.True(PriceNotice.IsEnough(now, now.AddDays(required), newItemsOnly: false, notice, minimum));
        Assert.True(PriceNotice.IsEnough(now, now, newItemsOnly: true, notice, minimum));
    }
}
