using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Engagement.Application;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using CustomerActivity = Platform.Customer.Engagement.Domain.CustomerActivity;
using CustomerProfile = Platform.Customer.Domain.CustomerProfile;
using StoredTier = Platform.Customer.Domain.ValueTier;
using ValueTiers = Platform.Customer.Engagement.Domain.ValueTiers;

namespace Platform.Tests.Customer.Engagement;

/// <summary>Billing, payment and complaint events (published here as those services would) drive lifecycle, tier and loyalty, once.</summary>
public sealed class EventDrivenTests(EngagementServices services) : IClassFixture<EngagementServices>
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset T0 = new(DateTime.UtcNow.Date.AddDays(-20), TimeSpan.Zero);

    private static ContractSigned Signed(string customerId, DateTimeOffset at) =>
        new(Guid.NewGuid(), at, Guid.NewGuid(), Guid.Parse(customerId), "C-" + Guid.NewGuid().ToString("N")[..8], 10000m, "CNY", "prepaid", at);

    private static PaymentReceived Paid(string customerId, decimal amount, DateTimeOffset at, Guid? paymentId = null) =>
        new(Guid.NewGuid(), at, paymentId ?? Guid.NewGuid(), Guid.Parse(customerId), amount, "CNY", "bank_transfer", at);

    private static RefundPaid Refunded(string customerId, decimal amount, Guid paymentId, DateTimeOffset at) =>
        new(Guid.NewGuid(), at, Guid.NewGuid(), Guid.Parse(customerId), amount, "CNY", paymentId);

    private static PrepaidBalanceChanged Balance(string customerId, decimal available, DateTimeOffset at) =>
        new(Guid.NewGuid(), at, Guid.Parse(customerId), Guid.NewGuid(), available > 0 ? "prepaid.deposit" : "prepaid.consumed", available, "CNY");

    private async Task<long> PointsAsync(string customerId) =>
        (await services.Loyalty.GetLoyaltyBalanceAsync(new GetLoyaltyBalanceRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep))).Points;

    private async Task<ValueTierStanding> TierAsync(string customerId) =>
        await services.Grading.GetValueTierAsync(new GetValueTierRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep));

    private async Task<ListLifecycleHistoryResponse> LifecycleAsync(string customerId) =>
        await services.Grading.ListLifecycleHistoryAsync(new ListLifecycleHistoryRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep));

    private async Task<int> AnnouncedAsync<T>(string customerId) =>
        (await services.OutboxAsync<T>()).Count(p => p.Contains(customerId, StringComparison.Ordinal));

    [Fact]
    public async Task A_burst_of_payments_applied_in_batches_counts_each_payment_once()
    {
        var customers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => services.RegisterAsync()));
        var payments = Enumerable.Range(0, 30)
            .Select(i => Paid(customers[i % 3].CustomerId, 100m + i, T0.AddDays(1).AddMinutes(i)))
            .ToList();
        var balances = payments.Select(p => Balance(p.CustomerId.ToString(), p.Amount, p.OccurredAt)).ToList();

        // All at once, with every fifth payment delivered twice (a redelivery keeps its message id) and one announced
        // again under a new event id: the batches see repeats inside themselves and across each other.
        await Task.WhenAll(payments.Select(p => services.PublishAsync(p)).Concat(balances.Select(b => services.PublishAsync(b))));
        var announcedAgain = payments[1] with { EventId = Guid.NewGuid() };
        await Task.WhenAll(payments.Where((_, i) => i % 5 == 0).Select(p => services.PublishAsync(p)).Append(services.PublishAsync(announcedAgain)));
        foreach (var (message, i) in payments.Select((p, i) => (p, i)))
        {
            await Eventually.Until(() => Task.FromResult(services.Consumed.Of(message.EventId)), n => n >= (i % 5 == 0 ? 2 : 1), what: $"payment {i} consumed");
        }

        foreach (var balance in balances)
        {
            await Eventually.Until(() => Task.FromResult(services.Consumed.Of(balance.EventId)), n => n >= 1, what: "balance change consumed");
        }

        await Eventually.Until(() => Task.FromResult(services.Consumed.Of(announcedAgain.EventId)), n => n >= 1, what: "the re-announced payment consumed");
        foreach (var (customer, k) in customers.Select((c, k) => (c, k)))
        {
            var own = payments.Where((_, i) => i % 3 == k).ToList();
            var tier = await TierAsync(customer.CustomerId);
            Assert.Equal((own.Count, (long)own.Sum(p => p.Amount)), (tier.Purchases, tier.PaidAmount.Units));
            Assert.Equal((long)own.Sum(p => decimal.Floor(p.Amount)), await PointsAsync(customer.CustomerId));
        }
    }

    [Fact]
    public async Task Payments_drive_lifecycle_tier_and_points_once_even_when_redelivered()
    {
        var customer = await services.RegisterAsync();
        var contract = Signed(customer.CustomerId, T0);
        await services.DeliverAsync(contract);
        await services.DeliverAsync(contract, times: 2);
        var first = Paid(customer.CustomerId, 12345.67m, T0.AddDays(1));
        await services.DeliverAsync(first);
        await services.DeliverAsync(first, times: 2);
        // The payment service announcing the same payment again under a new event id changes nothing either.
        await services.DeliverAsync(first with { EventId = Guid.NewGuid() });

        var afterFirst = (await TierAsync(customer.CustomerId), await PointsAsync(customer.CustomerId));
        await services.DeliverAsync(Paid(customer.CustomerId, 500m, T0.AddDays(2)));
        var tier = await TierAsync(customer.CustomerId);
        var lifecycle = await LifecycleAsync(customer.CustomerId);

        Assert.Equal((ValueTier.Mid, 12345L, 1), (afterFirst.Item1.ValueTier, afterFirst.Item2, afterFirst.Item1.Purchases));
        Assert.Equal((ValueTier.High, 12845L, 2), (tier.ValueTier, tier.PaidAmount.Units, tier.Purchases));
        Assert.Equal(670_000_000, tier.PaidAmount.Nanos);
        Assert.Equal(12845, await PointsAsync(customer.CustomerId));
        Assert.Equal(LifecycleStage.Customer, lifecycle.LifecycleStage);
        Assert.Equal((LifecycleStage.Prospect, LifecycleStage.Customer, "contract_signed"), Assert.Single(lifecycle.Changes) is var c ? (c.From, c.To, c.Reason) : default);
        Assert.Equal(T0.AddDays(2), lifecycle.LastActivityTime.ToDateTimeOffset());
        Assert.Equal(2, await AnnouncedAsync<CustomerTierChanged>(customer.CustomerId));
        Assert.Equal(1, await AnnouncedAsync<LifecycleStageChanged>(customer.CustomerId));
    }

    [Fact]
    public async Task A_refund_lowers_the_tier_and_revokes_the_points_it_earned_once()
    {
        var customer = await services.RegisterAsync();
        var kept = Paid(customer.CustomerId, 9000m, T0);
        var refundedPayment = Paid(customer.CustomerId, 2000m, T0.AddDays(1));
        await services.DeliverAsync(kept);
        await services.DeliverAsync(refundedPayment);
        Assert.Equal(ValueTier.High, (await TierAsync(customer.CustomerId)).ValueTier);

        var refund = Refunded(customer.CustomerId, 2000m, refundedPayment.PaymentId, T0.AddDays(2));
        await services.DeliverAsync(refund);
        await services.DeliverAsync(refund, times: 2);

        var tier = await TierAsync(customer.CustomerId);
        Assert.Equal((ValueTier.Mid, 9000L, 2), (tier.ValueTier, tier.PaidAmount.Units, tier.Purchases));
        Assert.Equal(9000, await PointsAsync(customer.CustomerId));
        var history = await services.Loyalty.ListLoyaltyHistoryAsync(new ListLoyaltyHistoryRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep));
        Assert.Equal([(LoyaltyEntryKind.RefundRevoked, -2000L), (LoyaltyEntryKind.Payment, 2000L), (LoyaltyEntryKind.Payment, 9000L)],
            history.Entries.Select(e => (e.Kind, e.Points)));
    }

    [Fact]
    public async Task Redeemed_points_become_credit_for_billing_and_a_later_refund_never_takes_the_balance_below_zero()
    {
        var customer = await services.RegisterAsync();
        var payment = Paid(customer.CustomerId, 1000m, T0);
        await services.DeliverAsync(payment);

        var request = new RedeemPointsRequest { RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Points = 800 };
        var redemption = await services.Loyalty.RedeemPointsAsync(request, Tokens.As(Roles.SalesRep));
        var repeat = await services.Loyalty.RedeemPointsAsync(request, Tokens.As(Roles.SalesRep));
        var overspend = await Assert.ThrowsAsync<RpcException>(async () => await services.Loyalty.RedeemPointsAsync(
            new RedeemPointsRequest { RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Points = 201 }, Tokens.As(Roles.SalesRep)));
        await services.DeliverAsync(Refunded(customer.CustomerId, 1000m, payment.PaymentId, T0.AddDays(1)));

        Assert.Equal(redemption, repeat);
        Assert.Equal((800L, 8L, 200L), (redemption.Points, redemption.Credit.Units, redemption.Balance));
        Assert.Equal(StatusCode.FailedPrecondition, overspend.StatusCode);
        Assert.Equal("INSUFFICIENT_POINTS", overspend.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(1, await AnnouncedAsync<LoyaltyCreditRedeemed>(customer.CustomerId));
        var published = System.Text.Json.JsonSerializer.Deserialize<LoyaltyCreditRedeemed>(
            Assert.Single(await services.OutboxAsync<LoyaltyCreditRedeemed>(), p => p.Contains(customer.CustomerId, StringComparison.Ordinal)),
            Json)!;
        Assert.Equal((800L, 8m, "CNY", redemption.RedemptionId), (published.Points, published.Amount, published.Currency, published.RedemptionId.ToString()));
        Assert.Equal(0, await PointsAsync(customer.CustomerId));
    }

    [Fact]
    public async Task Concurrent_redemptions_cannot_spend_the_same_points_twice()
    {
        var customer = await services.RegisterAsync();
        await services.DeliverAsync(Paid(customer.CustomerId, 1000m, T0));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            try
            {
                await services.Loyalty.RedeemPointsAsync(
                    new RedeemPointsRequest { RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Points = 600 }, Tokens.As(Roles.SalesRep));
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Equal(1, attempts.Count(a => a == StatusCode.OK));
        Assert.Equal(3, attempts.Count(a => a == StatusCode.FailedPrecondition));
        Assert.Equal(400, await PointsAsync(customer.CustomerId));
        Assert.Equal(1, await AnnouncedAsync<LoyaltyCreditRedeemed>(customer.CustomerId));
    }

    [Fact]
    public async Task An_exhausted_balance_churns_unless_renewed_and_new_money_brings_the_customer_back()
    {
        var customer = await services.RegisterAsync();
        await services.DeliverAsync(Signed(customer.CustomerId, T0));
        await services.DeliverAsync(Balance(customer.CustomerId, 500m, T0.AddDays(1)));
        await services.DeliverAsync(Balance(customer.CustomerId, 0m, T0.AddDays(2)));
        var churned = (await LifecycleAsync(customer.CustomerId)).LifecycleStage;

        await services.DeliverAsync(Signed(customer.CustomerId, T0.AddDays(3))); // renewal
        await services.DeliverAsync(new PrepaidExpired(Guid.NewGuid(), T0.AddDays(4), Guid.Parse(customer.CustomerId), 0m, "CNY", 0m));
        var renewedNotChurned = (await LifecycleAsync(customer.CustomerId)).LifecycleStage;

        await services.DeliverAsync(Balance(customer.CustomerId, 300m, T0.AddDays(5)));
        await services.DeliverAsync(new PrepaidExpired(Guid.NewGuid(), T0.AddDays(6), Guid.Parse(customer.CustomerId), 300m, "CNY", 0m));
        var lifecycle = await LifecycleAsync(customer.CustomerId);

        Assert.Equal(LifecycleStage.Churned, churned);
        Assert.Equal(LifecycleStage.Customer, renewedNotChurned);
        Assert.Equal(
            [("contract_signed", LifecycleStage.Customer), ("balance_exhausted", LifecycleStage.Churned), ("contract_signed", LifecycleStage.Customer), ("prepaid_expired", LifecycleStage.Churned)],
            lifecycle.Changes.Select(c => (c.Reason, c.To)));
        Assert.Equal(4, await AnnouncedAsync<LifecycleStageChanged>(customer.CustomerId));
    }

    [Fact]
    public async Task Balance_events_arriving_together_move_the_customer_as_they_would_one_by_one()
    {
        var customer = await services.RegisterAsync();
        await services.DeliverAsync(Signed(customer.CustomerId, T0));
        var events = new[]
        {
            Balance(customer.CustomerId, 500m, T0.AddDays(1)),
            Balance(customer.CustomerId, 0m, T0.AddDays(2)), // churns
            Balance(customer.CustomerId, 300m, T0.AddDays(3)), // new money brings them back: read from the churned profile, not the batch's start
        };
        foreach (var e in events)
        {
            await services.PublishAsync(e); // not waiting in between: they are taken as one batch
        }

        foreach (var e in events)
        {
            await Eventually.Until(() => Task.FromResult(services.Consumed.Of(e.EventId)), n => n >= 1, what: "the balance event to be consumed");
        }

        var lifecycle = await LifecycleAsync(customer.CustomerId);
        Assert.Equal(
            [("contract_signed", LifecycleStage.Customer), ("balance_exhausted", LifecycleStage.Churned), ("activity", LifecycleStage.Customer)],
            lifecycle.Changes.Select(c => (c.Reason, c.To)));
    }

    [Fact]
    public async Task An_exhausted_balance_delivered_after_a_newer_positive_one_does_not_churn()
    {
        var customer = await services.RegisterAsync();
        await services.DeliverAsync(Signed(customer.CustomerId, T0));
        await services.DeliverAsync(Balance(customer.CustomerId, 200m, T0.AddDays(2))); // the newer balance arrives first
        await services.DeliverAsync(Balance(customer.CustomerId, 0m, T0.AddDays(1)));

        var lifecycle = await LifecycleAsync(customer.CustomerId);

        Assert.Equal(LifecycleStage.Customer, lifecycle.LifecycleStage);
        Assert.Equal([("contract_signed", LifecycleStage.Customer)], lifecycle.Changes.Select(c => (c.Reason, c.To)));
    }

    [Fact]
    public async Task A_new_customers_first_payment_and_balance_applied_at_the_same_time_both_commit()
    {
        var customer = await services.RegisterAsync();
        var id = Guid.Parse(customer.CustomerId);

        // The payment consumer's transaction creates the customer's activity record and has not committed yet...
        await using var first = await TrackerTransaction.BeginAsync(services);
        await first.Tracker.OnPaymentAsync(id, T0.AddDays(2), CancellationToken.None);
        await first.Db.SaveChangesAsync();

        // ...when the balance consumer's transaction needs the same record.
        var second = InOwnTransactionAsync(balance => balance.Tracker.OnBalanceChangedAsync(Balance(customer.CustomerId, 500m, T0.AddDays(3)), CancellationToken.None));
        await Eventually.Until(ActivityLockWaitsAsync, n => n == 1, what: "the balance consumer's transaction to wait for the payment consumer's record");
        await first.Transaction.CommitAsync();
        await second;

        var activity = await services.QueryAsync(db => db.Set<CustomerActivity>().AsNoTracking().SingleAsync(a => a.CustomerId == id));
        Assert.Equal((T0.AddDays(3), T0.AddDays(3)), (activity.LastActivityAt, activity.LastPositiveBalanceAt));
    }

    [Fact]
    public async Task A_payment_and_a_later_balance_change_applied_at_once_leave_the_later_activity()
    {
        var customer = await services.RegisterAsync();
        var id = Guid.Parse(customer.CustomerId);
        await services.DeliverAsync(Signed(customer.CustomerId, T0));

        // The payment consumer's transaction has applied a payment of day 2, not committed yet, when the balance
        // consumer's transaction applies a balance of day 3.
        await HeldOpenWhileAsync(
            held: payment => payment.Tracker.OnPaymentAsync(id, T0.AddDays(2), CancellationToken.None),
            meanwhile: balance => balance.Tracker.OnBalanceChangedAsync(Balance(customer.CustomerId, 500m, T0.AddDays(3)), CancellationToken.None),
            "the balance consumer's transaction to commit or to wait for the payment consumer's");

        var activity = await services.QueryAsync(db => db.Set<CustomerActivity>().AsNoTracking().SingleAsync(a => a.CustomerId == id));
        Assert.Equal((T0.AddDays(3), T0.AddDays(3), T0), (activity.LastActivityAt, activity.LastPositiveBalanceAt, activity.LastContractSignedAt));
    }

    [Fact]
    public async Task A_payment_applied_while_the_dormant_scan_moves_its_customer_leaves_the_customer_active()
    {
        var (customer, id) = await IdleCustomerAsync();

        // The scan's transaction has moved the idle customer to dormant and has not committed yet, when a payment of
        // today is applied, as the payment consumer applies a batch.
        await HeldOpenWhileAsync(
            held: async scan => Assert.True(await scan.Tracker.ScanDormantAsync(CancellationToken.None) >= 1),
            meanwhile: payment => PaidTodayAsync(payment, id),
            "the payment's transaction to commit or to wait for the scan's");

        var lifecycle = await LifecycleAsync(customer);
        Assert.Equal(LifecycleStage.Customer, lifecycle.LifecycleStage);
        Assert.Equal([("contract_signed", LifecycleStage.Customer), ("dormant_scan", LifecycleStage.Dormant), ("activity", LifecycleStage.Customer)],
            lifecycle.Changes.Select(c => (c.Reason, c.To)));
    }

    [Fact]
    public async Task The_dormant_scan_leaves_a_customer_whose_payment_is_being_applied_to_the_next_scan()
    {
        var (customer, id) = await IdleCustomerAsync();

        // A payment of today is being applied and has not committed yet when the scan runs.
        await HeldOpenWhileAsync(
            held: payment => PaidTodayAsync(payment, id),
            meanwhile: scan => scan.Tracker.ScanDormantAsync(CancellationToken.None),
            "the scan to commit or to wait for the payment");

        var lifecycle = await LifecycleAsync(customer);
        Assert.Equal(LifecycleStage.Customer, lifecycle.LifecycleStage);
        Assert.Equal([("contract_signed", LifecycleStage.Customer)], lifecycle.Changes.Select(c => (c.Reason, c.To)));
    }

    [Fact]
    public async Task A_refund_applied_while_a_payment_of_the_same_customer_is_applied_leaves_the_tier_both_make()
    {
        var customer = await services.RegisterAsync();
        var refunded = Paid(customer.CustomerId, 6000m, T0);
        await services.DeliverAsync(refunded);
        await services.DeliverAsync(Paid(customer.CustomerId, 3000m, T0.AddDays(1)));
        Assert.Equal(ValueTier.Mid, (await TierAsync(customer.CustomerId)).ValueTier); // 9,000 in 2 purchases

        // The payment consumer's transaction has applied a payment of 2,000 (11,000 in 3 purchases: high), not committed,
        // when the refund consumer's transaction applies a refund of 1,500.
        await HeldOpenWhileAsync(
            held: payment => PaymentAppliedAsync(payment, Paid(customer.CustomerId, 2000m, T0.AddDays(2))),
            meanwhile: refund => RefundAppliedAsync(refund, Refunded(customer.CustomerId, 1500m, refunded.PaymentId, T0.AddDays(3))),
            "the refund's transaction to commit or to wait for the payment's");

        var tier = await TierAsync(customer.CustomerId);
        Assert.Equal((ValueTier.Mid, 9500L, 3), (tier.ValueTier, tier.PaidAmount.Units, tier.Purchases));
        Assert.Equal(StoredTier.Mid, await StoredTierAsync(customer.CustomerId));
    }

    [Fact]
    public async Task A_reversal_applied_while_a_payment_of_the_same_customer_is_applied_leaves_the_tier_both_make()
    {
        var customer = await services.RegisterAsync();
        await services.DeliverAsync(Paid(customer.CustomerId, 6000m, T0));
        var bounced = Paid(customer.CustomerId, 3000m, T0.AddDays(1));
        await services.DeliverAsync(bounced);
        Assert.Equal(ValueTier.Mid, (await TierAsync(customer.CustomerId)).ValueTier); // 9,000 in 2 purchases

        // The payment consumer's transaction has applied a payment of 2,000 (11,000 in 3 purchases: high), not committed,
        // when the reversal consumer's transaction takes the 3,000 back.
        await HeldOpenWhileAsync(
            held: payment => PaymentAppliedAsync(payment, Paid(customer.CustomerId, 2000m, T0.AddDays(2))),
            meanwhile: reversal => ReversalAppliedAsync(reversal, new PaymentReversed(Guid.NewGuid(), T0.AddDays(3), bounced.PaymentId,
                bounced.CustomerId, bounced.Amount, bounced.Currency, bounced.Method, bounced.Generation, PaymentReversed.Bounced, "refer to drawer")),
            "the reversal's transaction to commit or to wait for the payment's");

        var tier = await TierAsync(customer.CustomerId);
        Assert.Equal((ValueTier.Mid, 8000L, 2), (tier.ValueTier, tier.PaidAmount.Units, tier.Purchases));
        Assert.Equal(StoredTier.Mid, await StoredTierAsync(customer.CustomerId));
    }

    [Fact]
    public async Task The_tier_refresh_leaves_a_customer_whose_payment_is_being_applied_to_the_next_pass()
    {
        var customer = await services.RegisterAsync();
        var id = Guid.Parse(customer.CustomerId);
        await services.DeliverAsync(Signed(customer.CustomerId, T0));
        var now = DateTimeOffset.UtcNow;
        await services.DeliverAsync(Paid(customer.CustomerId, 20000m, now - ValueTiers.Window - TimeSpan.FromHours(1)));
        await services.DeliverAsync(Paid(customer.CustomerId, 1000m, T0));
        await ComputedTwoHoursAgoAsync(id, StoredTier.High); // while the payment of 20,000 was still in the window

        // A payment of 15,000 is being applied (16,000 in 2 purchases: high, as stored), not committed yet, when the
        // scan's tier refresh runs, which recomputes the customers whose payments left the window.
        await HeldOpenWhileAsync(
            held: payment => PaymentAppliedAsync(payment, Paid(customer.CustomerId, 15000m, now)),
            meanwhile: refresh => refresh.Tiers.RefreshAsync(TimeSpan.FromDays(2), 5000, CancellationToken.None),
            "the tier refresh to commit or to wait for the payment");

        var tier = await TierAsync(customer.CustomerId);
        Assert.Equal((16000L, 2), (tier.PaidAmount.Units, tier.Purchases));
        Assert.Equal(StoredTier.High, await StoredTierAsync(customer.CustomerId));
    }

    [Fact]
    public async Task The_tier_refresh_recomputes_each_customer_whose_payment_left_the_window_once_over_passes_of_a_few()
    {
        var now = DateTimeOffset.UtcNow;
        var lapsing = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var customer = await services.RegisterAsync();
            await services.DeliverAsync(Paid(customer.CustomerId, 1500m, now - ValueTiers.Window - TimeSpan.FromHours(1)));
            lapsing.Add(Guid.Parse(customer.CustomerId));
            await ComputedTwoHoursAgoAsync(lapsing[^1], StoredTier.Mid); // while the payment was in the window
        }

        // Passes of two customers at most: each takes the next ones, not the same first two again.
        var announcedBefore = await Task.WhenAll(lapsing.Select(id => AnnouncedAsync<CustomerTierChanged>(id.ToString())));
        var changed = new List<int>();
        for (var pass = 0; pass < 4; pass++)
        {
            changed.Add(await InOwnTransactionAsync(own => own.Tiers.RefreshAsync(TimeSpan.FromDays(2), 2, CancellationToken.None)));
        }

        Assert.Equal([StoredTier.Low, StoredTier.Low, StoredTier.Low], await Task.WhenAll(lapsing.Select(id => StoredTierAsync(id.ToString()))));
        var announcedAfter = await Task.WhenAll(lapsing.Select(id => AnnouncedAsync<CustomerTierChanged>(id.ToString())));
        Assert.Equal([1, 1, 1], announcedAfter.Zip(announcedBefore, (after, before) => after - before));
        Assert.True(changed.Sum() >= 3, $"changes per pass: {string.Join(", ", changed)}");
        Assert.Equal(0, changed[^1]);
        var computed = await services.QueryAsync(db => db.Set<CustomerActivity>().AsNoTracking()
            .Where(a => lapsing.Contains(a.CustomerId)).Select(a => a.TierComputedAt).ToListAsync());
        Assert.All(computed, at => Assert.True(at >= now, $"tier computed for {at}, before the refresh"));
    }

    /// <summary>Sets the customer's saved tier as computed two hours ago (its activity record says so too).</summary>
    private async Task ComputedTwoHoursAgoAsync(Guid id, StoredTier tier)
    {
        await services.QueryAsync(db => db.Set<CustomerProfile>().Where(c => c.Id == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.ValueTier, tier)));
        await services.QueryAsync(db => db.Set<CustomerActivity>().Where(a => a.CustomerId == id)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.TierComputedAt, DateTimeOffset.UtcNow.AddHours(-2))));
    }

    /// <summary>The tier saved on the profile, as the database has it (not through the service's caches).</summary>
    private Task<StoredTier> StoredTierAsync(string customerId) => services.QueryAsync(db =>
        db.Set<CustomerProfile>().Where(c => c.Id == Guid.Parse(customerId)).Select(c => c.ValueTier).SingleAsync());

    /// <summary>The payment consumer's work for <paramref name="paid"/>, as it applies a batch of one (not saved).</summary>
    private static async Task PaymentAppliedAsync(TrackerTransaction transaction, PaymentReceived paid)
    {
        var profiles = await transaction.Tracker.LoadAsync([paid.CustomerId], CancellationToken.None);
        await transaction.Tiers.LoadAsync([paid.CustomerId], [paid.PaymentId], profiles, CancellationToken.None);
        await transaction.Loyalty.LoadPaymentsAsync([paid.CustomerId], [paid.PaymentId], CancellationToken.None);
        var fact = await transaction.Tiers.RecordPaymentAsync(paid, CancellationToken.None) ?? throw new InvalidOperationException("the payment counts for nothing");
        await transaction.Tracker.OnPaymentAsync(paid.CustomerId, paid.ReceivedAt, CancellationToken.None);
        await transaction.Loyalty.EarnForPaymentAsync(fact, CancellationToken.None);
        await transaction.Tiers.RecomputeAsync(paid.CustomerId, CancellationToken.None);
    }

    /// <summary>The reversal consumer's work for <paramref name="reversal"/> (not saved).</summary>
    private static async Task ReversalAppliedAsync(TrackerTransaction transaction, PaymentReversed reversal)
    {
        var reversed = await transaction.Tiers.RecordReversalAsync(reversal, CancellationToken.None) ?? throw new InvalidOperationException("nothing taken back");
        await transaction.Loyalty.RevokeForReversalAsync(reversed, CancellationToken.None);
        await transaction.Tiers.RecomputeAsync(reversed.CustomerId, CancellationToken.None);
    }

    /// <summary>The refund consumer's work for <paramref name="refund"/> (not saved).</summary>
    private static async Task RefundAppliedAsync(TrackerTransaction transaction, RefundPaid refund)
    {
        var fact = await transaction.Tiers.RecordRefundAsync(refund, CancellationToken.None) ?? throw new InvalidOperationException("the refund was seen before");
        await transaction.Loyalty.RevokeForRefundAsync(fact, CancellationToken.None);
        await transaction.Tiers.RecomputeAsync(refund.CustomerId, CancellationToken.None);
    }

    /// <summary>A customer (a contract signed 35 days ago) with no activity since: one the dormant scan moves.</summary>
    private async Task<(string CustomerId, Guid Id)> IdleCustomerAsync()
    {
        var customer = await services.RegisterAsync();
        await services.DeliverAsync(Signed(customer.CustomerId, T0.AddDays(-15)));
        return (customer.CustomerId, Guid.Parse(customer.CustomerId));
    }

    /// <summary>
    /// <paramref name="held"/> applied in a unit of work and transaction held open while <paramref name="meanwhile"/> runs
    /// in a transaction of its own on another thread, until that one has committed or waits for a lock on the activity
    /// records (<paramref name="what"/>); only then is the held one saved (what it read may have changed meanwhile: a
    /// lost update shows) and committed, and the other one finishes.
    /// </summary>
    private async Task HeldOpenWhileAsync(Func<TrackerTransaction, Task> held, Func<TrackerTransaction, Task> meanwhile, string what)
    {
        await using var first = await TrackerTransaction.BeginAsync(services);
        await held(first);
        var second = InOwnTransactionAsync(meanwhile);
        await CommittedOrWaitingAsync(second, what);
        await first.Db.SaveChangesAsync();
        await first.Transaction.CommitAsync();
        await second;
    }

    /// <summary><paramref name="work"/> in a unit of work and transaction of its own, saved and committed, on another thread.</summary>
    private async Task InOwnTransactionAsync(Func<TrackerTransaction, Task> work) => await InOwnTransactionAsync(async own =>
    {
        await work(own);
        return true;
    });

    private Task<T> InOwnTransactionAsync<T>(Func<TrackerTransaction, Task<T>> work) => Task.Run(async () =>
    {
        await using var own = await TrackerTransaction.BeginAsync(services);
        var result = await work(own);
        await own.Db.SaveChangesAsync();
        await own.Transaction.CommitAsync();
        return result;
    });

    /// <summary>The payment consumer's work for a payment of today, as it applies a batch (not saved).</summary>
    private static async Task PaidTodayAsync(TrackerTransaction transaction, Guid customerId)
    {
        await transaction.Tracker.LoadAsync([customerId], CancellationToken.None);
        await transaction.Tracker.OnPaymentAsync(customerId, DateTimeOffset.UtcNow, CancellationToken.None);
    }

    /// <summary>Waits until <paramref name="other"/> has committed or is waiting for a lock on the activity records.</summary>
    private async Task CommittedOrWaitingAsync(Task other, string what) =>
        await Eventually.Until(async () => other.IsCompleted || await ActivityLockWaitsAsync() == 1, done => done, what: what);

    /// <summary>Statements of the test database waiting for a lock, on the activity records.</summary>
    private Task<int> ActivityLockWaitsAsync() => services.QueryAsync(db => db.Database.SqlQuery<int>($"""
        SELECT count(*)::int AS "Value" FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%customer_activity%'
        """).SingleAsync());

    /// <summary>A unit of work of the service with its lifecycle tracker, in a transaction, as a consumer has them.</summary>
    private sealed class TrackerTransaction(AsyncServiceScope scope, IDbContextTransaction transaction) : IAsyncDisposable
    {
        public CustomerDb Db => scope.ServiceProvider.GetRequiredService<CustomerDb>();

        public LifecycleTracker Tracker => scope.ServiceProvider.GetRequiredService<LifecycleTracker>();

        public ValueTierGrader Tiers => scope.ServiceProvider.GetRequiredService<ValueTierGrader>();

        public LoyaltyBook Loyalty => scope.ServiceProvider.GetRequiredService<LoyaltyBook>();

        public IDbContextTransaction Transaction => transaction;

        public static async Task<TrackerTransaction> BeginAsync(EngagementServices services)
        {
            var scope = services.Service.Services.CreateAsyncScope();
            return new TrackerTransaction(scope, await scope.ServiceProvider.GetRequiredService<CustomerDb>().Database.BeginTransactionAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await scope.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_referral_is_rewarded_once_when_the_referred_prospect_signs()
    {
        var referrer = await services.RegisterAsync();
        var referred = await services.RegisterAsync();
        var referral = await services.Loyalty.RecordReferralAsync(new RecordReferralRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            ReferrerCustomerId = referrer.CustomerId,
            ReferredCustomerId = referred.CustomerId,
        }, Tokens.As(Roles.SalesRep));
        var contract = Signed(referred.CustomerId, T0);
        await services.DeliverAsync(contract);
        await services.DeliverAsync(contract, times: 2);
        await services.DeliverAsync(Signed(referred.CustomerId, T0.AddDays(1)));

        Assert.False(referral.Rewarded);
        Assert.Equal(500, await PointsAsync(referrer.CustomerId));
        Assert.Equal(0, await PointsAsync(referred.CustomerId));
    }
}
