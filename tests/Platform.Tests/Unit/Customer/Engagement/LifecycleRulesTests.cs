using Microsoft.Extensions.Time.Testing;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Unit.Customer.Engagement;

public sealed class LifecycleRulesTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(LifecycleStage.Prospect, LifecycleStage.Customer)]
    [InlineData(LifecycleStage.Dormant, LifecycleStage.Customer)]
    [InlineData(LifecycleStage.Churned, LifecycleStage.Customer)]
    [InlineData(LifecycleStage.Customer, null)]
    [InlineData(LifecycleStage.Erased, null)]
    public void A_signed_contract_makes_a_customer(LifecycleStage from, LifecycleStage? to) => Assert.Equal(to, LifecycleRules.OnContractSigned(from));

    [Fact]
    public void Dormant_after_the_configured_days_without_activity()
    {
        var last = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromDays(89));
        Assert.False(LifecycleRules.IsDormant(LifecycleStage.Customer, last, clock.GetUtcNow(), 90));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.True(LifecycleRules.IsDormant(LifecycleStage.Customer, last, clock.GetUtcNow(), 90));
        Assert.False(LifecycleRules.IsDormant(LifecycleStage.Prospect, last, clock.GetUtcNow(), 90));
    }

    [Fact]
    public void Exhausted_balance_churns_unless_a_renewal_was_signed_after_it_was_last_positive()
    {
        var signed = clock.GetUtcNow();
        var positive = signed.AddDays(1);
        Assert.Equal(LifecycleStage.Churned, LifecycleRules.OnBalanceExhausted(LifecycleStage.Customer, signed, positive));
        Assert.Equal(LifecycleStage.Churned, LifecycleRules.OnBalanceExhausted(LifecycleStage.Dormant, signed, positive));
        Assert.Null(LifecycleRules.OnBalanceExhausted(LifecycleStage.Customer, positive.AddDays(1), positive));
        Assert.Null(LifecycleRules.OnBalanceExhausted(LifecycleStage.Prospect, null, null));
    }

    [Fact]
    public void Activity_wakes_a_dormant_customer_and_money_brings_back_a_churned_one()
    {
        Assert.Equal(LifecycleStage.Customer, LifecycleRules.OnActivity(LifecycleStage.Dormant, moneyAvailable: false));
        Assert.Equal(LifecycleStage.Customer, LifecycleRules.OnActivity(LifecycleStage.Churned, moneyAvailable: true));
        Assert.Null(LifecycleRules.OnActivity(LifecycleStage.Churned, moneyAvailable: false));
        Assert.Null(LifecycleRules.OnActivity(LifecycleStage.Prospect, moneyAvailable: true));
    }
}
