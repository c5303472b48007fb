using Microsoft.Extensions.Time.Testing;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Unit.Customer.Engagement;

public sealed class ValueTierTests
{
    private static readonly TierThresholds Thresholds = new() { HighAmount = 100_000m, HighPurchases = 4, MidAmount = 20_000m, MidPurchases = 2 };
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(100_000, 4, ValueTier.High)]
    [InlineData(100_000, 3, ValueTier.Mid)] // enough money but too few purchases for high
    [InlineData(20_000, 1, ValueTier.Mid)]
    [InlineData(19_999.99, 2, ValueTier.Mid)] // frequency alone makes mid
    [InlineData(19_999.99, 1, ValueTier.Low)]
    [InlineData(0, 0, ValueTier.Low)]
    public void Tier_follows_the_configured_thresholds(decimal paid, int purchases, ValueTier expected) =>
        Assert.Equal(expected, ValueTiers.Compute(new TierBasis(paid, purchases), Thresholds));

    [Fact]
    public void Basis_counts_only_the_trailing_twelve_months_and_subtracts_refunds()
    {
        var now = clock.GetUtcNow();
        var payments = new[] { (now.AddDays(-366), 50_000m), (now.AddDays(-300), 30_000m), (now.AddDays(-10), 10_000m) };
        var refunds = new[] { (now.AddDays(-5), 5_000m), (now.AddDays(-400), 9_000m) };

        var basis = ValueTiers.Basis(payments, refunds, now);

        Assert.Equal(new TierBasis(35_000m, 2), basis);
        Assert.Equal(ValueTier.Mid, ValueTiers.Compute(basis, Thresholds));
    }

    [Fact]
    public void A_payment_leaving_the_window_lowers_the_tier()
    {
        var start = clock.GetUtcNow();
        var payments = new[] { (start.AddDays(-200), 30_000m), (start.AddDays(-100), 30_000m), (start, 30_000m), (start, 30_000m) };
        Assert.Equal(ValueTier.High, ValueTiers.Compute(ValueTiers.Basis(payments, [], clock.GetUtcNow()), Thresholds));

        clock.Advance(TimeSpan.FromDays(200)); // the oldest payment is now more than 12 months old

        Assert.Equal(ValueTier.Mid, ValueTiers.Compute(ValueTiers.Basis(payments, [], clock.GetUtcNow()), Thresholds));
    }

    [Fact]
    public void Refunds_never_make_the_paid_amount_negative() =>
        Assert.Equal(0m, ValueTiers.Basis([(clock.GetUtcNow(), 100m)], [(clock.GetUtcNow(), 500m)], clock.GetUtcNow()).PaidAmount);
}
