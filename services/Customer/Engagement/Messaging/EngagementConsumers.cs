using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Application;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Messaging;

/// <summary>A signed contract makes a customer and rewards whoever referred them.</summary>
public sealed class EngagementContractSignedConsumer(CustomerDb db, TimeProvider clock, LifecycleTracker lifecycle, LoyaltyBook loyalty)
    : InboxConsumer<ContractSigned, CustomerDb>(db, clock)
{
    protected override async Task ApplyAsync(ContractSigned message, CancellationToken ct)
    {
        await lifecycle.OnContractSignedAsync(message, ct);
        if (await Db.FindTrackedAsync(message.CustomerId, ct) is { Stage: LifecycleStage.Customer })
        {
            await loyalty.RewardReferralAsync(message.CustomerId, ct);
        }
    }
}

/// <summary>
/// A payment announcement is activity, counts for the value tier and insight and earns loyalty points, once per
/// (payment, generation), for the customer it names. A repeat, or an announcement already taken back when it arrives
/// (its <c>PaymentReversed</c> came first), counts for nothing, not even as activity: the money is known not to be there.
/// Every payment of the platform comes through here, so payments are taken in batches.
/// </summary>
public sealed class EngagementPaymentReceivedConsumer(CustomerDb db, TimeProvider clock, LifecycleTracker lifecycle, ValueTierGrader tiers, LoyaltyBook loyalty)
    : InboxBatchConsumer<PaymentReceived, CustomerDb>(db, clock)
{
    protected override async Task ApplyAsync(PaymentReceived message, CancellationToken ct)
    {
        if (await tiers.RecordPaymentAsync(message, ct) is { } fact)
        {
            await lifecycle.OnPaymentAsync(message.CustomerId, message.ReceivedAt, ct);
            await loyalty.EarnForPaymentAsync(fact, ct);
            await tiers.RecomputeAsync(message.CustomerId, ct);
        }
    }

    protected override async Task LoadAsync(IReadOnlyList<PaymentReceived> messages, CancellationToken ct)
    {
        var customers = messages.Select(m => m.CustomerId).Distinct().ToList();
        var payments = messages.Select(m => m.PaymentId).Distinct().ToList();
        var profiles = await lifecycle.LoadAsync(customers, ct);
        await tiers.LoadAsync(customers, payments, profiles, ct);
        await loyalty.LoadPaymentsAsync(customers, payments, ct);
    }
}

/// <summary>
/// A payment announcement taken back (a cleared cheque bounced, or the payer is not a customer): once per (payment,
/// generation) — the inbox for a redelivery, the reversal's record for a re-publish under another event id — the
/// announcement stops counting for the value tier (paid amount, purchases) and insight, the points it earned are revoked
/// (never below zero, never more than the payment still holds after refunds) and the tier is recomputed. A reversal
/// that overtakes its announcement is recorded, and the announcement then counts for nothing.
/// </summary>
/// <remarks>
/// Lifecycle and activity are left alone. A reversal is not something the customer did (the bank or payment's payer
/// re-check did it), so it is no activity. A stage move the announcement caused is not undone: the lifecycle history is
/// append-only and its moves were already announced (<c>LifecycleStageChanged</c>) to other services, and the stage rules
/// move on what happens next, not on rewritten history: billing's take-back lowers the prepaid balance and its
/// <c>PrepaidBalanceChanged</c> churns an exhausted customer by the ordinary rule, and the dormant scan does the rest.
/// </remarks>
public sealed class EngagementPaymentReversedConsumer(CustomerDb db, TimeProvider clock, ValueTierGrader tiers, LoyaltyBook loyalty)
    : InboxConsumer<PaymentReversed, CustomerDb>(db, clock)
{
    protected override async Task ApplyAsync(PaymentReversed message, CancellationToken ct)
    {
        if (await tiers.RecordReversalAsync(message, ct) is { } reversed)
        {
            await loyalty.RevokeForReversalAsync(reversed, ct);
            await tiers.RecomputeAsync(reversed.CustomerId, ct);
        }
    }
}

/// <summary>A refund lowers the value tier's paid amount and revokes the points the refunded money earned.</summary>
public sealed class EngagementRefundPaidConsumer(CustomerDb db, TimeProvider clock, ValueTierGrader tiers, LoyaltyBook loyalty)
    : InboxConsumer<RefundPaid, CustomerDb>(db, clock)
{
    protected override async Task ApplyAsync(RefundPaid message, CancellationToken ct)
    {
        if (await tiers.RecordRefundAsync(message, ct) is { } fact)
        {
            await loyalty.RevokeForRefundAsync(fact, ct);
            await tiers.RecomputeAsync(message.CustomerId, ct);
        }
    }
}

/// <summary>Balance activity; an exhausted balance without renewal churns the customer. Every ledger movement comes through here: batched.</summary>
public sealed class EngagementBalanceChangedConsumer(CustomerDb db, TimeProvider clock, LifecycleTracker lifecycle)
    : InboxBatchConsumer<PrepaidBalanceChanged, CustomerDb>(db, clock)
{
    protected override Task ApplyAsync(PrepaidBalanceChanged message, CancellationToken ct) => lifecycle.OnBalanceChangedAsync(message, ct);

    protected override async Task LoadAsync(IReadOnlyList<PrepaidBalanceChanged> messages, CancellationToken ct)
    {
        var customers = messages.Select(m => m.CustomerId).Distinct().ToList();
        await lifecycle.LoadAsync(customers, ct);
    }
}

/// <summary>Prepaid funds expired and nothing is left: the customer churns unless they renewed.</summary>
public sealed class EngagementPrepaidExpiredConsumer(CustomerDb db, TimeProvider clock, LifecycleTracker lifecycle)
    : InboxConsumer<PrepaidExpired, CustomerDb>(db, clock)
{
    protected override Task ApplyAsync(PrepaidExpired message, CancellationToken ct) => lifecycle.OnPrepaidExpiredAsync(message, ct);
}

/// <summary>Keeps complaint survey scores for satisfaction insight, once per complaint.</summary>
public sealed class EngagementSurveyAnsweredConsumer(CustomerDb db, TimeProvider clock)
    : InboxConsumer<SatisfactionSurveyAnswered, CustomerDb>(db, clock)
{
    protected override async Task ApplyAsync(SatisfactionSurveyAnswered message, CancellationToken ct)
    {
        if (message.Score is < 1 or > 5 || await Db.Set<SurveyAnswer>().FindAsync([message.ComplaintId], ct) is not null)
        {
            return; // out-of-range scores are not satisfaction data; a second answer to one survey does not count twice
        }

        Db.Add(new SurveyAnswer { ComplaintId = message.ComplaintId, CustomerId = message.CustomerId, Score = message.Score, AnsweredAt = message.OccurredAt });
    }
}
