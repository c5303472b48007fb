using Platform.BuildingBlocks.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Engagement.Application;

/// <summary>
/// Loyalty points: earned once per source (payment announcement, referral), revoked on refunds and reversals, redeemed
/// into promotional credit.
/// </summary>
public sealed class LoyaltyBook(CustomerDb db, TimeProvider clock, IOptions<LoyaltyRules> rules)
{
    private readonly HashSet<Guid> loadedPaymentSources = [];

    public LoyaltyRules Rules => rules.Value;

    /// <summary>
    /// For a batch of payments: reads (tracked) the points the payments already earned, with one query, so that earning
    /// for each of them finds its entry, or its absence, without a round trip. The payers are part of the lookup: an
    /// entry's key begins with its customer, so the query is an index lookup rather than a scan of every entry.
    /// </summary>
    public async Task LoadPaymentsAsync(IReadOnlyCollection<Guid> customerIds, IReadOnlyCollection<Guid> paymentIds, CancellationToken ct)
    {
        await db.Set<LoyaltyEntry>()
            .Where(e => customerIds.Contains(e.CustomerId) && e.Kind == LoyaltyEntryKind.Payment && paymentIds.Contains(e.SourceId))
            .LoadAsync(ct);
        loadedPaymentSources.UnionWith(paymentIds);
    }

    public async Task EarnForPaymentAsync(PaymentFact payment, CancellationToken ct)
    {
        var points = Rules.PointsFor(payment.Amount);
        if (points > 0)
        {
            await AddOnceAsync(payment.CustomerId, LoyaltyEntryKind.Payment, points, payment.PaymentId, payment.PaymentId, payment.Generation, ct);
        }
    }

    /// <summary>Takes back what the refunded amount earned, within what its payment earned and the balance (never below zero).</summary>
    public async Task RevokeForRefundAsync(RefundFact refund, CancellationToken ct)
    {
        await db.LockForTransactionAsync(AdvisoryLocks.KeyOf("loyalty", refund.CustomerId), ct);
        var wanted = Rules.PointsFor(refund.Amount);
        var (earned, revoked) = refund.PaymentId is { } paymentId ? await EarnedAndRevokedAsync(paymentId, ct) : (wanted, 0L);
        var points = LoyaltyRules.RevokedFor(wanted, earned, revoked, await BalanceAsync(refund.CustomerId, ct));
        if (points > 0)
        {
            await AddOnceAsync(refund.CustomerId, LoyaltyEntryKind.RefundRevoked, -points, refund.RefundId, refund.PaymentId, 0, ct);
        }
    }

    /// <summary>
    /// Takes back what the reversed announcement earned, less what refunds and reversals of the payment took back already
    /// (a payment partly refunded, then reversed, loses in all no more than it earned), never below a zero balance.
    /// The caller holds the payment's lock (<see cref="ValueTierGrader.LockAsync"/>), as a refund's does.
    /// </summary>
    public async Task RevokeForReversalAsync(PaymentFact reversed, CancellationToken ct)
    {
        await db.LockForTransactionAsync(AdvisoryLocks.KeyOf("loyalty", reversed.CustomerId), ct);
        var wanted = await db.Set<LoyaltyEntry>()
            .Where(e => e.PaymentId == reversed.PaymentId && e.Generation == reversed.Generation && e.Kind == LoyaltyEntryKind.Payment && e.CustomerId == reversed.CustomerId)
            .SumAsync(e => e.Points, ct);
        var (earned, revoked) = await EarnedAndRevokedAsync(reversed.PaymentId, ct);
        var points = LoyaltyRules.RevokedFor(wanted, earned, revoked, await BalanceAsync(reversed.CustomerId, ct));
        if (points > 0)
        {
            await AddOnceAsync(reversed.CustomerId, LoyaltyEntryKind.PaymentReversed, -points, reversed.PaymentId, reversed.PaymentId, reversed.Generation, ct);
        }
    }

    /// <summary>What a payment earned over all its announcements, and what refunds and reversals took back of it (positive).</summary>
    private async Task<(long Earned, long Revoked)> EarnedAndRevokedAsync(Guid paymentId, CancellationToken ct)
    {
        var sums = await db.Set<LoyaltyEntry>().Where(e => e.PaymentId == paymentId)
            .GroupBy(e => e.Kind).Select(g => new { g.Key, Points = g.Sum(e => e.Points) }).ToListAsync(ct);
        return (sums.Where(s => s.Key == LoyaltyEntryKind.Payment).Sum(s => s.Points),
            -sums.Where(s => s.Key is LoyaltyEntryKind.RefundRevoked or LoyaltyEntryKind.PaymentReversed).Sum(s => s.Points));
    }

    /// <summary>The referrer of a customer who just signed a first contract earns the referral reward, once.</summary>
    public async Task RewardReferralAsync(Guid referredCustomerId, CancellationToken ct)
    {
        var referral = await db.Set<Referral>().SingleOrDefaultAsync(r => r.ReferredCustomerId == referredCustomerId, ct);
        if (referral is null || referral.RewardedAt is not null)
        {
            return;
        }

        referral.RewardedAt = clock.GetUtcNow();
        await AddOnceAsync(referral.ReferrerCustomerId, LoyaltyEntryKind.Referral, Rules.ReferralPoints, referredCustomerId, null, 0, ct);
    }

    public async Task<Referral> RecordReferralAsync(Guid referrerId, Guid referredId, CancellationToken ct)
    {
        if (referrerId == referredId)
        {
            throw ValidationException.For("referred_customer_id", "must differ from referrer_customer_id");
        }

        await db.RequireEngageableAsync(referrerId, ct);
        await db.RequireEngageableAsync(referredId, ct);

        var referred = await db.Set<CustomerProfile>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == referredId, ct)
            ?? throw new NotFoundException("customer", referredId.ToString());
        if (referred.Stage != LifecycleStage.Prospect)
        {
            throw new PreconditionFailedException("REFERRED_NOT_A_PROSPECT", referredId.ToString(), "Only a prospect can be recorded as referred");
        }

        if (await db.Set<Referral>().AnyAsync(r => r.ReferredCustomerId == referredId, ct))
        {
            throw new AlreadyExistsException("REFERRAL_ALREADY_EXISTS", "This customer was already referred") { Metadata = { ["referred_customer_id"] = referredId.ToString() } };
        }

        var referral = new Referral { ReferredCustomerId = referredId, ReferrerCustomerId = referrerId, CreatedAt = clock.GetUtcNow() };
        db.Add(referral);
        await db.SaveChangesAsync(ct);
        return referral;
    }

    /// <summary>Turns points into promotional credit and announces it to billing. Serialised per customer so two redemptions cannot overspend.</summary>
    public async Task<(LoyaltyEntry Entry, decimal Credit, long Balance)> RedeemAsync(Guid customerId, long points, CancellationToken ct)
    {
        if (points < Rules.MinimumRedemption)
        {
            throw ValidationException.For("points", $"must be at least {Rules.MinimumRedemption}");
        }

        await db.RequireEngageableAsync(customerId, ct);
        await db.LockForTransactionAsync(AdvisoryLocks.KeyOf("loyalty", customerId), ct);
        var balance = await BalanceAsync(customerId, ct);
        if (points > balance)
        {
            throw new PreconditionFailedException("INSUFFICIENT_POINTS", customerId.ToString(), $"Only {balance} points are available");
        }

        var redemptionId = Guid.CreateVersion7();
        var entry = await AddOnceAsync(customerId, LoyaltyEntryKind.Redeemed, -points, redemptionId, null, 0, ct);
        var credit = Rules.CreditFor(points);
        db.Enqueue(new LoyaltyCreditRedeemed(Guid.CreateVersion7(), clock.GetUtcNow(), redemptionId, customerId, points, credit,
            BuildingBlocks.Money.MoneyExtensions.DefaultCurrency), clock);
        await db.SaveChangesAsync(ct);
        return (entry, credit, balance - points);
    }

    public async Task<long> BalanceAsync(Guid customerId, CancellationToken ct) =>
        await db.Set<LoyaltyEntry>().Where(e => e.CustomerId == customerId).SumAsync(e => e.Points, ct)
        + db.ChangeTracker.Entries<LoyaltyEntry>().Where(e => e.State == EntityState.Added && e.Entity.CustomerId == customerId).Sum(e => e.Entity.Points);

    public async Task<IReadOnlyList<LoyaltyEntry>> HistoryAsync(Guid customerId, Guid? after, int size, CancellationToken ct) =>
        await db.Set<LoyaltyEntry>().AsNoTracking()
            .Where(e => e.CustomerId == customerId && (after == null || e.Id < after))
            .OrderByDescending(e => e.Id).Take(size + 1).ToListAsync(ct);

    private async Task<LoyaltyEntry> AddOnceAsync(Guid customerId, LoyaltyEntryKind kind, long points, Guid sourceId, Guid? paymentId, int generation,
        CancellationToken ct)
    {
        var existing = kind == LoyaltyEntryKind.Payment && loadedPaymentSources.Contains(sourceId)
            ? db.Tracked<LoyaltyEntry>(e => e.CustomerId == customerId && e.Kind == kind && e.SourceId == sourceId && e.Generation == generation)
            : await db.Set<LoyaltyEntry>().SingleOrDefaultAsync(
                e => e.CustomerId == customerId && e.Kind == kind && e.SourceId == sourceId && e.Generation == generation, ct);
        if (existing is not null)
        {
            return existing;
        }

        var entry = new LoyaltyEntry
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            Kind = kind,
            Points = points,
            SourceId = sourceId,
            PaymentId = paymentId,
            Generation = generation,
            OccurredAt = clock.GetUtcNow(),
        };
        db.Add(entry);
        return entry;
    }
}
