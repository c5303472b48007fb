using Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Unit.Customer.Engagement;

public sealed class LoyaltyRulesTests
{
    private readonly LoyaltyRules rules = new() { PointsPerUnit = 1m, ReferralPoints = 500, CreditPerPoint = 0.01m, MinimumRedemption = 100 };

    [Theory]
    [InlineData(1234.99, 1234)]
    [InlineData(0.99, 0)]
    [InlineData(0, 0)]
    [InlineData(-5, 0)]
    public void Points_are_whole_points_of_the_paid_amount(decimal paid, long points) => Assert.Equal(points, rules.PointsFor(paid));

    [Fact]
    public void The_rate_comes_from_configuration() => Assert.Equal(250, new LoyaltyRules { PointsPerUnit = 0.5m }.PointsFor(500.5m));

    [Fact]
    public void Credit_is_points_times_the_configured_value() => Assert.Equal(12.34m, rules.CreditFor(1234));

    [Theory]
    [InlineData(300, 1000, 0, 5000, 300)] // a partial refund takes back what it earned
    [InlineData(1500, 1000, 0, 5000, 1000)] // never more than the payment earned
    [InlineData(600, 1000, 700, 5000, 300)] // a second refund takes only what is left of the payment's points
    [InlineData(800, 1000, 0, 200, 200)] // points already redeemed: the balance stops at zero
    [InlineData(100, 1000, 0, 0, 0)]
    [InlineData(1000, 1000, 400, 5000, 600)] // a reversal after a partial refund: what the payment has left, not what it earned
    [InlineData(1000, 2000, 1000, 5000, 1000)] // announced twice (reversed, announced again): the second reversal takes the second's
    public void A_refund_or_reversal_revokes_within_the_payments_points_and_the_balance(long wanted, long earned, long revoked, long balance, long expected) =>
        Assert.Equal(expected, LoyaltyRules.RevokedFor(wanted, earned, revoked, balance));
}
