using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Data;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

/// <summary>Keeps payment and refund facts and recomputes the value tier from the trailing 12 months.</summary>
/// <remarks>
/// A batch of payments (InboxBatchConsumer) is read up front by <see cref="LoadAsync"/>: which payments are already
/// known and each customer's saved window sums, with three queries for the whole batch, and the current tiers from the
/// batch's profile snapshots. Each payment then adds to those what the unit of work holds, as it would read them one by one.
/// </remarks>
public sealed class ValueTierGrader(CustomerDb db, TimeProvider clock, IOptions<TierThresholds> thresholds)
{
    private readonly Dictionary<Guid, bool> loadedPayments = [];

    private readonly Dictionary<Guid, SavedBasis> loadedBasis = [];

    private DateTimeOffset loadedAt;

    private sealed record SavedBasis(decimal Paid, int Count, decimal Refunded, ValueTier? Tier);

    /// <summary>
    /// Reads what the payments of a batch will ask (whether each is known; the customers' saved sums over the window) and
    /// keeps their tiers from <paramref name="profiles"/>, replacing what an earlier load read of them.
    /// </summary>
    public async Task LoadAsync(IReadOnlyCollection<Guid> customerIds, IReadOnlyCollection<Guid> paymentIds, IReadOnlyDictionary<Guid, ProfileSnapshot> profiles,
        CancellationToken ct)
    {
        var known = await db.Set<PaymentFact>().AsNoTracking().Where(p => paymentIds.Contains(p.PaymentId)).Select(p => p.PaymentId).ToListAsync(ct);
        foreach (var id in paymentIds)
        {
            loadedPayments[id] = known.Contains(id);
        }

        loadedAt = clock.GetUtcNow();
        var since = loadedAt - ValueTiers.Window;
        var paid = await db.Set<PaymentFact>().AsNoTracking()
            .Where(p => customerIds.Contains(p.CustomerId) && p.ReceivedAt > since && p.ReceivedAt <= loadedAt)
            .GroupBy(p => p.CustomerId).Select(g => new { g.Key, Paid = g.Sum(p => p.Amount), Count = g.Count() }).ToDictionaryAsync(g => g.Key, ct);
        var refunded = await db.Set<RefundFact>().AsNoTracking()
            .Where(r => customerIds.Contains(r.CustomerId) && r.PaidAt > since && r.PaidAt <= loadedAt)
            .GroupBy(r => r.CustomerId).Select(g => new { g.Key, Amount = g.Sum(r => r.Amount) }).ToDictionaryAsync(g => g.Key, g => g.Amount, ct);
        foreach (var id in customerIds)
        {
            var sums = paid.GetValueOrDefault(id);
            loadedBasis[id] = new SavedBasis(sums?.Paid ?? 0m, sums?.Count ?? 0, refunded.GetValueOrDefault(id),
                profiles.TryGetValue(id, out var profile) ? profile.ValueTier : null);
        }
    }

    /// <summary>Stores the payment once (by payment id); false when it was already known.</summary>
    public async Task<PaymentFact?> RecordPaymentAsync(PaymentReceived paid, CancellationToken ct)
    {
        // Local too: a batch of messages is applied in one unit of work (InboxBatchConsumer).
        if (db.Tracked<PaymentFact>(p => p.PaymentId == paid.PaymentId) is not null
            || (loadedPayments.TryGetValue(paid.PaymentId, out var known) ? known : await db.Set<PaymentFact>().AnyAsync(p => p.PaymentId == paid.PaymentId, ct)))
        {
            return null;
        }

        var fact = new PaymentFact
        {
            PaymentId = paid.PaymentId,
            CustomerId = paid.CustomerId,
            Amount = paid.Amount,
            Currency = paid.Currency,
            ReceivedAt = paid.ReceivedAt,
        };
        db.Add(fact);
        return fact;
    }

    public async Task<RefundFact?> RecordRefundAsync(RefundPaid refund, CancellationToken ct)
    {
        if (await db.Set<RefundFact>().AnyAsync(r => r.RefundId == refund.RefundId, ct))
        {
            return null;
        }

        var fact = new RefundFact
        {
            RefundId = refund.RefundId,
            CustomerId = refund.CustomerId,
            PaymentId = refund.PaymentId,
            Amount = refund.Amount,
            PaidAt = refund.OccurredAt,
        };
        db.Add(fact);
        return fact;
    }

    /// <summary>
    /// The tier basis now: the saved facts of the window summed by the database (a customer's year of payments is never
    /// loaded), or as <see cref="LoadAsync"/> read them for the batch, plus those added but not yet saved in this unit of work.
    /// </summary>
    public async Task<TierBasis> BasisAsync(Guid customerId, CancellationToken ct)
    {
        var loaded = loadedBasis.GetValueOrDefault(customerId);
        var now = loaded is null ? clock.GetUtcNow() : loadedAt;
        var since = now - ValueTiers.Window;
        var (savedPaid, savedCount, savedRefunds) = loaded is not null ? (loaded.Paid, loaded.Count, loaded.Refunded) : await SavedAsync(customerId, since, now, ct);
        var pendingPayments = db.Added<PaymentFact>()
            .Where(p => p.CustomerId == customerId && p.ReceivedAt > since && p.ReceivedAt <= now).Select(p => p.Amount).ToList();
        var pendingRefunds = db.Added<RefundFact>().Where(r => r.CustomerId == customerId && r.PaidAt > since && r.PaidAt <= now).Sum(r => r.Amount);
        return ValueTiers.Basis(savedPaid + pendingPayments.Sum(), savedCount + pendingPayments.Count, savedRefunds + pendingRefunds);
    }

    private async Task<(decimal Paid, int Count, decimal Refunded)> SavedAsync(Guid customerId, DateTimeOffset since, DateTimeOffset now, CancellationToken ct)
    {
        var saved = await db.Set<PaymentFact>().AsNoTracking()
            .Where(p => p.CustomerId == customerId && p.ReceivedAt > since && p.ReceivedAt <= now)
            .GroupBy(_ => 1).Select(g => new { Paid = g.Sum(p => p.Amount), Count = g.Count() }).SingleOrDefaultAsync(ct);
        var refunded = await db.Set<RefundFact>().AsNoTracking()
            .Where(r => r.CustomerId == customerId && r.PaidAt > since && r.PaidAt <= now).SumAsync(r => r.Amount, ct);
        return (saved?.Paid ?? 0m, saved?.Count ?? 0, refunded);
    }

    /// <summary>Recomputes the tier; a change is saved on the tracked profile and announced.</summary>
    public async Task RecomputeAsync(Guid customerId, CancellationToken ct)
    {
        // The profile is tracked only when its tier changes (or the lifecycle moved it): a batch does not track every payer.
        var tracked = db.Tracked<CustomerProfile>(c => c.Id == customerId);
        var current = tracked?.ValueTier ?? (loadedBasis.TryGetValue(customerId, out var loaded) ? loaded.Tier : (await db.FindTrackedAsync(customerId, ct))?.ValueTier);
        if (current is null)
        {
            return;
        }

        var basis = await BasisAsync(customerId, ct);
        var tier = ValueTiers.Compute(basis, thresholds.Value);
        if (tier == current)
        {
            return;
        }

        var customer = tracked ?? await db.GetTrackedAsync(customerId, ct);
        db.Enqueue(new CustomerTierChanged(Guid.CreateVersion7(), clock.GetUtcNow(), customerId,
            EngagementNames.Of(customer.ValueTier), EngagementNames.Of(tier), basis.PaidAmount, basis.Purchases), clock);
        customer.ValueTier = tier;
    }

    /// <summary>
    /// The trailing window moves: customers with a payment or refund that left the window within <paramref name="lookback"/>
    /// are recomputed (only they can change without a new event). Answers how many changed tier.
    /// </summary>
    public async Task<int> RefreshAsync(TimeSpan lookback, CancellationToken ct)
    {
        var edge = clock.GetUtcNow() - ValueTiers.Window;
        var from = edge - lookback;
        var paid = db.Set<PaymentFact>().Where(p => p.ReceivedAt > from && p.ReceivedAt <= edge).Select(p => p.CustomerId);
        var refunded = db.Set<RefundFact>().Where(r => r.PaidAt > from && r.PaidAt <= edge).Select(r => r.CustomerId);
        var affected = await paid.Union(refunded).Distinct().Take(5000).ToListAsync(ct);
        var changed = 0;
        foreach (var id in affected)
        {
            var before = (await db.FindTrackedAsync(id, ct))?.ValueTier;
            await RecomputeAsync(id, ct);
            changed += (await db.FindTrackedAsync(id, ct))?.ValueTier != before ? 1 : 0;
        }

        return changed;
    }
}
