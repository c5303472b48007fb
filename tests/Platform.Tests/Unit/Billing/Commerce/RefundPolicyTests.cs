using Platform.Billing.Commerce.Domain;

namespace Platform.Tests.Unit.Billing.Commerce;

public sealed class RefundPolicyTests
{
    [Fact]
    public void By_consumption_what_was_not_consumed_is_refundable()
    {
        var policy = new RefundPolicy(RefundBasis.Consumption, [], 0);

        Assert.Equal(700m, policy.Refundable(paid: 1000m, consumed: 300m, elapsedShare: 0.9m, nonRefundable: 0m).Refundable);
    }

    [Fact]
    public void By_elapsed_time_the_share_falls_pro_rata()
    {
        var policy = new RefundPolicy(RefundBasis.ElapsedTime, [], 0);

        Assert.Equal(750m, policy.Refundable(1000m, 0m, 0.25m, 0m).Refundable);
    }

    [Fact]
    public void By_elapsed_time_consumed_money_is_still_never_refunded()
    {
        var policy = new RefundPolicy(RefundBasis.ElapsedTime, [], 0);

        Assert.Equal(400m, policy.Refundable(1000m, consumed: 600m, elapsedShare: 0.1m, nonRefundable: 0m).Refundable);
    }

    [Fact]
    public void Non_refundable_fee_items_come_off_first_and_the_handling_fee_off_what_remains()
    {
        var policy = new RefundPolicy(RefundBasis.Consumption, ["crm.setup"], HandlingFeeBasisPoints: 500);

        var quote = policy.Refundable(paid: 1200m, consumed: 100m, elapsedShare: 0m, nonRefundable: 200m);

        Assert.Equal(new RefundQuote(Pool: 1000m, Remaining: 900m, HandlingFee: 45m, Refundable: 855m), quote);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(100, 500, 0)]
    [InlineData(100, 0, 1.5)]
    public void Refundable_is_never_negative_nor_more_than_paid(decimal paid, decimal consumed, decimal elapsed)
    {
        foreach (var basis in new[] { RefundBasis.Consumption, RefundBasis.ElapsedTime })
        {
            var quote = new RefundPolicy(basis, [], 100).Refundable(paid, consumed, elapsed, nonRefundable: 50m);
            Assert.InRange(quote.Refundable, 0m, paid);
        }
    }
}
