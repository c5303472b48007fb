using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Data;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

/// <summary>Keeps payment, reversal and refund facts and recomputes the value tier from the trailing 12 months.</summary>
/// <remarks>
/// <para>
/// A batch of payments (InboxBatchConsumer) is read up front by <see cref="LoadAsync"/>: the generations of each payment
/// already seen and each customer's saved window sums, with four queries for the whole batch, and the current tiers from
/// the batch's profile snapshots. Each payment then adds to those what the unit of work holds, as it would read them one by one.
/// </para>
/// <para>
/// Payment announcements count once per (payment, generation), and not at all once taken back (<see cref="PaymentGenerations"/>).
/// Events are unordered, so an announcement and its reversal may be applied at the same time by two consumers: both
/// take a transaction-scoped advisory lock per payment (<see cref="LockAsync"/>) before reading what the other writes.
/// </para>
/// <para>
/// A tier is recomputed from what is saved so far, so two writers of one customer's tier (a payment, a refund, a
/// reversal, the scan as the window moves) must not compute at once: each would save the tier that follows from the facts
/// it sees, without the other's, and the one that changed nothing would not correct the other. Each takes the
/// customer's activity lock (<see cref="ActivityLocks"/>) first: the payment consumer for its batch
/// (<see cref="LifecycleTracker.LoadAsync"/>), refunds and reversals here, and the scan skips customers locked by a writer.
/// </para>
/// </remarks>
public sealed class ValueTierGrader(CustomerDb db, TimeProvider clock, IOptions<TierThresholds> thresholds, ActivityLocks locks)
{
    /// <summary>Per payment of the batch: the highest generation announced or reversed before it (null: none).</summary>
    private readonly Dictionary<Guid, int?> loadedGenerations = [];

    private readonly Dictionary<Guid, SavedBasis> loadedBasis = [];

    private DateTimeOffset loadedAt;

    private sealed record SavedBasis(decimal Paid, int Count, decimal Refunded, ValueTier? Tier);

    /// <summary>
    /// Locks the payments of a batch (<see cref="LockAsync"/>), reads what they will ask (the generations seen of each; the
    /// customers' saved sums over the window) and keeps their tiers from <paramref name="profiles"/>, replacing what an
    /// earlier load read of them.
    /// </summary>
    public async Task LoadAsync(IReadOnlyCollection<Guid> customerIds, IReadOnlyCollection<Guid> paymentIds, IReadOnlyDictionary<Guid, ProfileSnapshot> profiles,
        CancellationToken ct)
    {
        await LockAsync(paymentIds, ct);
        var seen = await HighestGenerationsAsync(paymentIds, ct);
        foreach (var id in paymentIds)
        {
            loadedGenerations[id] = seen.TryGetValue(id, out var highest) ? highest : null;
        }

        loadedAt = clock.GetUtcNow();
        var since = loadedAt - ValueTiers.Window;
        var paid = await db.Set<PaymentFact>().AsNoTracking()
            .Where(p => customerIds.Contains(p.CustomerId) && p.ReceivedAt > since && p.ReceivedAt <= loadedAt && p.ReversedAt == null)
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

    /// <summary>
    /// Stores the announcement once per (payment, generation), for the customer it names; null when it counts for
    /// nothing: a repeat, or an announcement already taken back (its reversal or a later generation came first).
    /// </summary>
    public async Task<PaymentFact?> RecordPaymentAsync(PaymentReceived paid, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(paid.Generation);
        if (!loadedGenerations.TryGetValue(paid.PaymentId, out var seen))
        {
            await LockAsync([paid.PaymentId], ct);
            seen = (await HighestGenerationsAsync([paid.PaymentId], ct)).TryGetValue(paid.PaymentId, out var highest) ? highest : null;
        }

        // Local too: a batch of messages is applied in one unit of work (InboxBatchConsumer).
        var added = db.Added<PaymentFact>().Where(p => p.PaymentId == paid.PaymentId).Select(p => (int?)p.Generation).Max();
        if (!PaymentGenerations.Counts(paid.Generation, seen) || !PaymentGenerations.Counts(paid.Generation, added))
        {
            return null;
        }

        var fact = new PaymentFact
        {
            PaymentId = paid.PaymentId,
            Generation = paid.Generation,
            CustomerId = paid.CustomerId,
            Amount = paid.Amount,
            Currency = paid.Currency,
            ReceivedAt = paid.ReceivedAt,
        };
        db.Add(fact);
        return fact;
    }

    /// <summary>
    /// Records the reversal of (payment, generation) once; answers the announcement it takes back when that one counted
    /// until now (null when it was taken back already, or has not arrived: it will then count for nothing).
    /// </summary>
    public async Task<PaymentFact?> RecordReversalAsync(PaymentReversed reversal, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reversal.Generation);
        // The customers whose tier it touches, the reversal's and the announcement's (the same but for a payment matched
        // again to another customer), are locked together and before the payment: the order every writer keeps.
        var announcedFor = await db.Set<PaymentFact>().AsNoTracking()
            .Where(p => p.PaymentId == reversal.PaymentId && p.Generation == reversal.Generation).Select(p => (Guid?)p.CustomerId).SingleOrDefaultAsync(ct);
        await locks.LockAsync([reversal.CustomerId, announcedFor ?? reversal.CustomerId], ct);
        await LockAsync([reversal.PaymentId], ct);
        if (await db.Set<PaymentReversal>().AnyAsync(r => r.PaymentId == reversal.PaymentId && r.Generation == reversal.Generation, ct))
        {
            return null; // re-published under another event id
        }

        db.Add(new PaymentReversal
        {
            PaymentId = reversal.PaymentId,
            Generation = reversal.Generation,
            CustomerId = reversal.CustomerId,
            Amount = reversal.Amount,
            Reason = reversal.Reason.Length <= 40 ? reversal.Reason : reversal.Reason[..40],
            ReversedAt = reversal.OccurredAt,
        });
        var fact = await db.Set<PaymentFact>().SingleOrDefaultAsync(p => p.PaymentId == reversal.PaymentId && p.Generation == reversal.Generation, ct);
        if (fact is null)
        {
            return null;
        }

        if (fact.CustomerId != (announcedFor ?? reversal.CustomerId))
        {
            // Announced for another customer after the first look (an announcement its reversal overtook, arriving
            // meanwhile): locked now, out of order, at the risk of a deadlock PostgreSQL breaks and the inbox retries.
            await locks.LockAsync([fact.CustomerId], ct);
        }

        fact.ReversedAt = reversal.OccurredAt;
        // The tier basis is summed by the database (BasisAsync): it must see the announcement taken back.
        await db.SaveChangesAsync(ct);
        return fact;
    }

    public async Task<RefundFact?> RecordRefundAsync(RefundPaid refund, CancellationToken ct)
    {
        await locks.LockAsync([refund.CustomerId], ct);
        if (refund.PaymentId is { } paymentId)
        {
            await LockAsync([paymentId], ct); // the loyalty points it revokes are counted against the payment's reversals
        }

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
        var now = BasisTime(customerId);
        var since = now - ValueTiers.Window;
        var (savedPaid, savedCount, savedRefunds) = loaded is not null ? (loaded.Paid, loaded.Count, loaded.Refunded) : await SavedAsync(customerId, since, now, ct);
        var pendingPayments = db.Added<PaymentFact>()
            .Where(p => p.CustomerId == customerId && p.ReceivedAt > since && p.ReceivedAt <= now).Select(p => p.Amount).ToList();
        var pendingRefunds = db.Added<RefundFact>().Where(r => r.CustomerId == customerId && r.PaidAt > since && r.PaidAt <= now).Sum(r => r.Amount);
        return ValueTiers.Basis(savedPaid + pendingPayments.Sum(), savedCount + pendingPayments.Count, savedRefunds + pendingRefunds);
    }

    /// <summary>The time whose trailing window <see cref="BasisAsync"/> sums: when the batch was loaded, or now.</summary>
    private DateTimeOffset BasisTime(Guid customerId) => loadedBasis.ContainsKey(customerId) ? loadedAt : clock.GetUtcNow();

    private async Task<(decimal Paid, int Count, decimal Refunded)> SavedAsync(Guid customerId, DateTimeOffset since, DateTimeOffset now, CancellationToken ct)
    {
        var saved = await db.Set<PaymentFact>().AsNoTracking()
            .Where(p => p.CustomerId == customerId && p.ReceivedAt > since && p.ReceivedAt <= now && p.ReversedAt == null)
            .GroupBy(_ => 1).Select(g => new { Paid = g.Sum(p => p.Amount), Count = g.Count() }).SingleOrDefaultAsync(ct);
        var refunded = await db.Set<RefundFact>().AsNoTracking()
            .Where(r => r.CustomerId == customerId && r.PaidAt > since && r.PaidAt <= now).SumAsync(r => r.Amount, ct);
        return (saved?.Paid ?? 0m, saved?.Count ?? 0, refunded);
    }

    /// <summary>
    /// Recomputes the tier; a change is saved on the tracked profile and announced. The customer's activity record, locked
    /// and read by the caller (<see cref="ActivityLocks"/>), keeps the time computed for.
    /// </summary>
    public async Task RecomputeAsync(Guid customerId, CancellationToken ct)
    {
        // The profile is tracked only when its tier changes (or the lifecycle moved it): a batch does not track every payer.
        var tracked = db.Tracked<CustomerProfile>(c => c.Id == customerId);
        var computedAt = BasisTime(customerId);
        if (db.Set<CustomerActivity>().Local.FindEntry(customerId)?.Entity is { } activity
            && (activity.TierComputedAt is null || activity.TierComputedAt < computedAt))
        {
            activity.TierComputedAt = computedAt; // also without a profile (erased): nothing to look for again
        }

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
    /// The trailing window moves: customers with a payment or refund that left the window since their tier was last
    /// computed (<see cref="CustomerActivity.TierComputedAt"/>) are recomputed, at most <paramref name="batchSize"/> a
    /// pass, the rest on the next passes (only they can change without a new event). Facts that left more than
    /// <paramref name="lookback"/> ago are not looked for. A customer whose events are being applied right now
    /// (<see cref="ActivityLocks.TryLockAsync"/>) is left to the next pass, and so is one the tier was computed for
    /// meanwhile. Answers how many changed tier.
    /// </summary>
    public async Task<int> RefreshAsync(TimeSpan lookback, int batchSize, CancellationToken ct)
    {
        var edge = clock.GetUtcNow() - ValueTiers.Window;
        var from = edge - lookback;
        var window = ValueTiers.Window;
        var activities = db.Set<CustomerActivity>();
        var paid = db.Set<PaymentFact>().Where(p => p.ReceivedAt > from && p.ReceivedAt <= edge && p.ReversedAt == null)
            .Join(activities, p => p.CustomerId, a => a.CustomerId, (p, a) => new { p.CustomerId, LeftAt = p.ReceivedAt + window, a.TierComputedAt });
        var refunded = db.Set<RefundFact>().Where(r => r.PaidAt > from && r.PaidAt <= edge)
            .Join(activities, r => r.CustomerId, a => a.CustomerId, (r, a) => new { r.CustomerId, LeftAt = r.PaidAt + window, a.TierComputedAt });
        var affected = await paid.Union(refunded)
            .Where(f => f.TierComputedAt == null || f.LeftAt > f.TierComputedAt)
            .Select(f => f.CustomerId).Distinct().OrderBy(id => id).Take(batchSize).ToListAsync(ct);
        var changed = 0;
        foreach (var id in await locks.TryLockAsync(affected, ct))
        {
            var before = (await db.FindTrackedAsync(id, ct))?.ValueTier;
            await RecomputeAsync(id, ct);
            changed += (await db.FindTrackedAsync(id, ct))?.ValueTier != before ? 1 : 0;
        }

        return changed;
    }

    /// <summary>
    /// Takes, until the transaction ends, the advisory lock of each payment (in one order, so two holders of several
    /// cannot deadlock): an announcement and a reversal of one payment are applied one after the other.
    /// </summary>
    public async Task LockAsync(IReadOnlyCollection<Guid> paymentIds, CancellationToken ct)
    {
        var keys = paymentIds.Select(id => AdvisoryLocks.KeyOf("customer-payment", id)).Distinct().Order().ToArray();
        if (keys.Length > 0)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest({keys}) AS k ORDER BY k) AS s", ct);
        }
    }

    /// <summary>The highest generation of each payment seen so far, in an announcement or a reversal (payments never seen are left out).</summary>
    private async Task<Dictionary<Guid, int>> HighestGenerationsAsync(IReadOnlyCollection<Guid> paymentIds, CancellationToken ct)
    {
        var announced = await db.Set<PaymentFact>().AsNoTracking().Where(p => paymentIds.Contains(p.PaymentId))
            .GroupBy(p => p.PaymentId).Select(g => new { g.Key, Highest = g.Max(p => p.Generation) }).ToListAsync(ct);
        var reversed = await db.Set<PaymentReversal>().AsNoTracking().Where(r => paymentIds.Contains(r.PaymentId))
            .GroupBy(r => r.PaymentId).Select(g => new { g.Key, Highest = g.Max(r => r.Generation) }).ToListAsync(ct);
        return announced.Concat(reversed).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Max(s => s.Highest));
    }
}
