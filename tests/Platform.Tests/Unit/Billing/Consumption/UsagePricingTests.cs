using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Domain;
using Platform.ServiceDefaults.Errors;
using static Platform.Tests.Unit.Billing.Consumption.AmendedChargePlanTests;

namespace Platform.Tests.Unit.Billing.Consumption;

/// <summary>The price of a usage at the moment it was used: amendments in force then, renewal and the price list.</summary>
public sealed class UsagePricingTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 31, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The list the contracts below were signed under (a month before the start).</summary>
    private static readonly PriceList Signing = List(1, Start.AddDays(-30), ("crm.setup", 500m), ("crm.seat", 100m), ("crm.sms", 0.1m), ("crm.fax", 0.3m));

    /// <summary>6 months: setup 500, a seat at 100 a month, 1,000 text messages at 0.1 (subtotal 1,200); 120 off, so 90% of list.</summary>
    private static Contract Crm(bool followsList = false, bool autoRenew = false)
    {
        var contract = ChargePlanTests.Signed(PaymentMode.Prepaid, 120m, 6,
            ("crm.setup", FeeKind.OneTime, 1, 500m), ("crm.seat", FeeKind.RecurringMonthly, 1, 100m), ("crm.sms", FeeKind.Usage, 1000, 0.1m));
        contract.Terms.PriceFollowsList = followsList;
        contract.Terms.AutoRenew = autoRenew;
        return contract;
    }

    [Fact]
    public void An_amendment_changing_a_usage_line_prices_usage_from_its_signing_on_without_the_contract_s_discount()
    {
        var contract = Crm();
        var signedAt = Start.AddMonths(2);
        var amendment = Amend(contract, 1, signedAt, ("crm.sms", FeeKind.Usage, 2000, 0.08m));

        var before = UsagePricing.Of(contract, [amendment], "crm.sms", 250, signedAt.AddTicks(-1), [Signing]);
        var after = UsagePricing.Of(contract, [amendment], "crm.sms", 250, signedAt, [Signing]);

        Assert.Equal(new UsagePrice(22.5m, null), before); // 250 × 0.1 × 0.9
        Assert.Equal(new UsagePrice(20m, amendment.Id), after); // 250 × 0.08
    }

    [Fact]
    public void An_amendment_adding_a_usage_item_prices_it_once_signed_and_the_signing_day_list_prices_it_before()
    {
        var contract = Crm();
        var signedAt = Start.AddMonths(1);
        var amendment = Amend(contract, 1, signedAt, ("crm.fax", FeeKind.Usage, 100, 0.25m));

        Assert.Equal(new UsagePrice(7.5m, null), UsagePricing.Of(contract, [amendment], "crm.fax", 25, signedAt.AddDays(-1), [Signing]));
        Assert.Equal(new UsagePrice(6.25m, amendment.Id), UsagePricing.Of(contract, [amendment], "crm.fax", 25, signedAt.AddDays(1), [Signing]));
    }

    [Fact]
    public void The_last_amendment_signed_by_the_usage_prices_it_and_an_unsigned_one_never_does()
    {
        var contract = Crm();
        var first = Amend(contract, 1, Start.AddDays(10), ("crm.sms", FeeKind.Usage, 1000, 0.09m));
        var second = Amend(contract, 2, Start.AddDays(10), ("crm.sms", FeeKind.Usage, 1000, 0.07m)); // same moment: the later sequence
        var third = Amend(contract, 3, Start.AddDays(40), ("crm.sms", FeeKind.Usage, 1000, 0.05m));
        var unsigned = Amend(contract, 4, null, ("crm.sms", FeeKind.Usage, 1000, 0.01m));
        Amendment[] all = [third, unsigned, second, first];

        Assert.Equal(new UsagePrice(7m, second.Id), UsagePricing.Of(contract, all, "crm.sms", 100, Start.AddDays(20), [Signing]));
        Assert.Equal(new UsagePrice(5m, third.Id), UsagePricing.Of(contract, all, "crm.sms", 100, Start.AddDays(41), [Signing]));
        Assert.Equal(new UsagePrice(9m, null), UsagePricing.Of(contract, [unsigned], "crm.sms", 100, Start.AddDays(41), [Signing]));
    }

    [Fact]
    public void A_signed_contract_keeps_its_usage_price_until_renewal_and_then_pays_the_renewal_day_s_list()
    {
        var contract = Crm(autoRenew: true);
        var raised = List(2, Start.AddMonths(1), ("crm.sms", 0.2m));
        var renewal = Start.AddMonths(6);

        Assert.Equal(new UsagePrice(9m, null), UsagePricing.Of(contract, [], "crm.sms", 100, Start.AddMonths(3), [Signing, raised]));
        Assert.Equal(new UsagePrice(18m, null), UsagePricing.Of(contract, [], "crm.sms", 100, renewal.AddDays(1), [Signing, raised])); // 100 × 0.2 × 0.9
        // Without renewal the contract keeps its price for as long as it is used.
        Assert.Equal(new UsagePrice(9m, null), UsagePricing.Of(Crm(), [], "crm.sms", 100, renewal.AddDays(1), [Signing, raised]));
    }

    [Fact]
    public void A_contract_following_the_list_pays_each_version_from_its_effective_date()
    {
        var contract = Crm(followsList: true);
        var raised = List(2, Start.AddMonths(1), ("crm.sms", 0.2m), ("crm.fax", 0.4m));

        Assert.Equal(new UsagePrice(9m, null), UsagePricing.Of(contract, [], "crm.sms", 100, Start.AddMonths(1).AddTicks(-1), [Signing, raised]));
        Assert.Equal(new UsagePrice(18m, null), UsagePricing.Of(contract, [], "crm.sms", 100, Start.AddMonths(1), [Signing, raised]));
        // An item off the contract: its signing-day price, then the list's, never discounted.
        Assert.Equal(new UsagePrice(30m, null), UsagePricing.Of(contract, [], "crm.fax", 100, Start.AddDays(5), [Signing, raised]));
        Assert.Equal(new UsagePrice(40m, null), UsagePricing.Of(contract, [], "crm.fax", 100, Start.AddMonths(2), [Signing, raised]));
    }

    [Fact]
    public void A_line_that_is_not_a_usage_item_or_an_item_unpriced_on_the_signing_day_is_refused_naming_the_fee_item()
    {
        var contract = Crm();
        var amendment = Amend(contract, 1, Start.AddDays(3), ("crm.sms", FeeKind.RecurringMonthly, 1, 5m));

        var errors = new[]
        {
            Assert.Throws<ValidationException>(() => UsagePricing.Of(contract, [], "crm.seat", 1, Start.AddDays(5), [Signing])),
            Assert.Throws<ValidationException>(() => UsagePricing.Of(contract, [amendment], "crm.sms", 1, Start.AddDays(5), [Signing])),
            Assert.Throws<ValidationException>(() => UsagePricing.Of(contract, [], "crm.new", 1, Start.AddDays(5), [Signing])),
        };

        Assert.All(errors, e => Assert.Equal("fee_item_code", Assert.Single(e.Violations).Field));
    }
}
