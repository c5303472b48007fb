using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Customer.Engagement;

/// <summary>
/// Payment announcements taken back (<c>PaymentReversed</c>) and announced again (next generation), published here as
/// the payment service would, in any order: tier, loyalty points and insight end where the money is, once.
/// </summary>
public sealed class PaymentReversalTests(EngagementServices services) : IClassFixture<EngagementServices>
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset T0 = new(DateTime.UtcNow.Date.AddDays(-20), TimeSpan.Zero);

    private static PaymentReceived Paid(string customerId, decimal amount, DateTimeOffset at, Guid? paymentId = null, int generation = 0) =>
        new(Guid.NewGuid(), at, paymentId ?? Guid.NewGuid(), Guid.Parse(customerId), amount, "CNY", "cheque", at, Generation: generation);

    private static PaymentReversed Reversed(PaymentReceived announcement, DateTimeOffset at, string reason = PaymentReversed.Bounced) =>
        new(Guid.NewGuid(), at, announcement.PaymentId, announcement.CustomerId, announcement.Amount, announcement.Currency, announcement.Method,
            announcement.Generation, reason, "refer to drawer");

    private static RefundPaid Refunded(string customerId, decimal amount, Guid paymentId, DateTimeOffset at) =>
        new(Guid.NewGuid(), at, Guid.NewGuid(), Guid.Parse(customerId), amount, "CNY", paymentId);

    private async Task<long> PointsAsync(string customerId) =>
        (await services.Loyalty.GetLoyaltyBalanceAsync(new GetLoyaltyBalanceRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep))).Points;

    private async Task<IEnumerable<(LoyaltyEntryKind Kind, long Points)>> HistoryAsync(string customerId) =>
        (await services.Loyalty.ListLoyaltyHistoryAsync(new ListLoyaltyHistoryRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep)))
        .Entries.Select(e => (e.Kind, e.Points));

    private async Task<(ValueTier Tier, long Paid, int Purchases)> TierAsync(string customerId)
    {
        var standing = await services.Grading.GetValueTierAsync(new GetValueTierRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep));
        return (standing.ValueTier, standing.PaidAmount.Units, standing.Purchases);
    }

    private async Task<ListLifecycleHistoryResponse> LifecycleAsync(string customerId) =>
        await services.Grading.ListLifecycleHistoryAsync(new ListLifecycleHistoryRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep));

    private async Task<List<CustomerTierChanged>> TierChangesAsync(string customerId) =>
        (await services.OutboxAsync<CustomerTierChanged>()).Where(p => p.Contains(customerId, StringComparison.Ordinal))
        .Select(p => System.Text.Json.JsonSerializer.Deserialize<CustomerTierChanged>(p, Json)!).ToList();

    [Fact]
    public async Task A_reversal_revokes_the_points_and_lowers_tier_and_insight_once_however_often_it_comes()
    {
        var owner = Guid.NewGuid();
        var customer = await services.RegisterAsync(owner);
        await services.DeliverAsync(new ContractSigned(Guid.NewGuid(), T0, Guid.NewGuid(), Guid.Parse(customer.CustomerId), "C-1", 10000m, "CNY", "prepaid", T0));
        await services.DeliverAsync(Paid(customer.CustomerId, 9000m, T0.AddDays(1)));
        var bounced = Paid(customer.CustomerId, 2000m, T0.AddDays(2));
        await services.DeliverAsync(bounced);
        var before = await TierAsync(customer.CustomerId);

        var reversal = Reversed(bounced, T0.AddDays(3));
        await services.DeliverAsync(reversal);
        await services.DeliverAsync(reversal, times: 2); // redelivered: same message id
        await services.DeliverAsync(reversal with { EventId = Guid.NewGuid(), OccurredAt = T0.AddDays(4) }); // re-published by payment

        Assert.Equal((ValueTier.High, 11000L, 2), before);
        Assert.Equal((ValueTier.Mid, 9000L, 1), await TierAsync(customer.CustomerId));
        Assert.Equal(9000, await PointsAsync(customer.CustomerId));
        Assert.Equal([(LoyaltyEntryKind.PaymentReversed, -2000L), (LoyaltyEntryKind.Payment, 2000L), (LoyaltyEntryKind.Payment, 9000L)],
            await HistoryAsync(customer.CustomerId));
        var changes = await TierChangesAsync(customer.CustomerId);
        Assert.Equal([("unrated", "mid"), ("mid", "high"), ("high", "mid")], changes.Select(c => (c.From, c.To)));
        Assert.Equal((9000m, 1), (changes[^1].PaidAmount, changes[^1].Purchases));

        // Not activity, and the lifecycle is not rewritten: the reversed payment's activity stays.
        var lifecycle = await LifecycleAsync(customer.CustomerId);
        Assert.Equal([("contract_signed", LifecycleStage.Customer)], lifecycle.Changes.Select(c => (c.Reason, c.To)));
        Assert.Equal(T0.AddDays(2), lifecycle.LastActivityTime.ToDateTimeOffset());

        var insight = await services.Insight.GetCustomerInsightAsync(new GetCustomerInsightRequest
        {
            PeriodStart = Timestamp.FromDateTimeOffset(T0),
            PeriodEnd = Timestamp.FromDateTimeOffset(T0.AddDays(10)),
            SegmentBy = SegmentDimension.Owner,
        }, Tokens.As(Roles.SalesManager));
        var kpis = insight.Segments.Single(s => s.Segment == owner.ToString()).Current;
        Assert.Equal((1, 9000L, 1.0), (kpis.Purchases, kpis.AveragePurchaseAmount.Units, kpis.PurchaseFrequency));
    }

    [Fact]
    public async Task A_payment_announced_again_counts_once_for_the_customer_it_names_now()
    {
        var first = await services.RegisterAsync();
        var payer = await services.RegisterAsync();
        var announced = Paid(first.CustomerId, 2000m, T0);
        await services.DeliverAsync(announced);
        await services.DeliverAsync(Reversed(announced, T0.AddDays(1), PaymentReversed.PayerNotACustomer));
        var again = Paid(payer.CustomerId, 2000m, T0, announced.PaymentId, generation: 1);
        await services.DeliverAsync(again);
        await services.DeliverAsync(again with { EventId = Guid.NewGuid() }); // re-published by payment
        await services.DeliverAsync(announced with { EventId = Guid.NewGuid() }); // the older generation again

        Assert.Equal((ValueTier.Low, 0L, 0), await TierAsync(first.CustomerId));
        Assert.Equal(0, await PointsAsync(first.CustomerId));
        Assert.Equal((ValueTier.Mid, 2000L, 1), await TierAsync(payer.CustomerId));
        Assert.Equal([(LoyaltyEntryKind.Payment, 2000L)], await HistoryAsync(payer.CustomerId));
    }

    [Fact]
    public async Task A_payment_announced_again_for_the_same_customer_earns_again()
    {
        var customer = await services.RegisterAsync();
        var announced = Paid(customer.CustomerId, 1500m, T0);
        await services.DeliverAsync(announced);
        await services.DeliverAsync(Reversed(announced, T0.AddDays(1)));
        await services.DeliverAsync(Paid(customer.CustomerId, 1500m, T0.AddDays(2), announced.PaymentId, generation: 1));

        Assert.Equal((ValueTier.Mid, 1500L, 1), await TierAsync(customer.CustomerId));
        Assert.Equal([(LoyaltyEntryKind.Payment, 1500L), (LoyaltyEntryKind.PaymentReversed, -1500L), (LoyaltyEntryKind.Payment, 1500L)],
            await HistoryAsync(customer.CustomerId));
    }

    [Fact]
    public async Task An_announcement_overtaken_by_its_reversal_or_a_later_generation_counts_for_nothing()
    {
        var customer = await services.RegisterAsync();
        var taken = Paid(customer.CustomerId, 3000m, T0);
        await services.DeliverAsync(Reversed(taken, T0.AddDays(1))); // the reversal first
        await services.DeliverAsync(taken);
        var afterReversalFirst = (await TierAsync(customer.CustomerId), await PointsAsync(customer.CustomerId), await LifecycleAsync(customer.CustomerId));

        var older = Paid(customer.CustomerId, 2500m, T0.AddDays(2));
        var newer = Paid(customer.CustomerId, 2500m, T0.AddDays(3), older.PaymentId, generation: 1);
        await services.DeliverAsync(newer); // generation 1 first: generation 0 was taken back, its reversal still on the way
        await services.DeliverAsync(older);
        await services.DeliverAsync(Reversed(older, T0.AddDays(3)));

        Assert.Equal((ValueTier.Unspecified, 0L, 0), afterReversalFirst.Item1); // never graded: nothing counted
        Assert.Equal(0, afterReversalFirst.Item2);
        Assert.Null(afterReversalFirst.Item3.LastActivityTime);
        Assert.Equal((ValueTier.Mid, 2500L, 1), await TierAsync(customer.CustomerId));
        Assert.Equal([(LoyaltyEntryKind.Payment, 2500L)], await HistoryAsync(customer.CustomerId));
        Assert.Equal([("unrated", "mid")], (await TierChangesAsync(customer.CustomerId)).Select(c => (c.From, c.To)));
    }

    [Fact]
    public async Task A_payment_partly_refunded_then_reversed_never_loses_more_points_than_it_earned()
    {
        var customer = await services.RegisterAsync();
        var bounced = Paid(customer.CustomerId, 2000m, T0);
        await services.DeliverAsync(bounced);
        await services.DeliverAsync(Paid(customer.CustomerId, 5000m, T0.AddDays(1))); // enough points that the balance does not cap
        await services.DeliverAsync(Refunded(customer.CustomerId, 500m, bounced.PaymentId, T0.AddDays(2)));
        await services.DeliverAsync(Reversed(bounced, T0.AddDays(3)));
        // A refund paid before the reversal but delivered after it: the payment's points are gone already.
        await services.DeliverAsync(Refunded(customer.CustomerId, 300m, bounced.PaymentId, T0.AddDays(2)));

        Assert.Equal(5000, await PointsAsync(customer.CustomerId));
        Assert.Equal([(LoyaltyEntryKind.PaymentReversed, -1500L), (LoyaltyEntryKind.RefundRevoked, -500L), (LoyaltyEntryKind.Payment, 5000L),
            (LoyaltyEntryKind.Payment, 2000L)], await HistoryAsync(customer.CustomerId));
        // Refunds are money that went out to the customer: they still lower the net paid amount.
        Assert.Equal((ValueTier.Mid, 4200L, 1), await TierAsync(customer.CustomerId));
    }

    [Fact]
    public async Task Announcements_and_their_reversals_arriving_together_leave_only_the_money_that_is_there()
    {
        var customer = await services.RegisterAsync();
        var kept = Paid(customer.CustomerId, 700m, T0);
        var bounced = Enumerable.Range(0, 60).Select(i => Paid(customer.CustomerId, 1000m + i, T0.AddHours(i + 1))).ToList();
        var reversals = bounced.Select(p => Reversed(p, T0.AddDays(1))).ToList();

        // Not waiting for them to be applied: the announcements are taken in batches while the reversals, published
        // right behind, are applied beside them; some reversals overtake their announcements.
        await Task.WhenAll(bounced.Select(p => services.PublishAsync(p)).Append(services.PublishAsync(kept)));
        await Task.WhenAll(reversals.Select(r => services.PublishAsync(r)));
        foreach (var id in bounced.Select(p => p.EventId).Concat(reversals.Select(r => r.EventId)).Append(kept.EventId))
        {
            await Eventually.Until(() => Task.FromResult(services.Consumed.Of(id)), n => n >= 1, what: "the announcement or reversal consumed");
        }

        Assert.Equal((ValueTier.Low, 700L, 1), await TierAsync(customer.CustomerId));
        Assert.Equal(700, await PointsAsync(customer.CustomerId));
    }
}
