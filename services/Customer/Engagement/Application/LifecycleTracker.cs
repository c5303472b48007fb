using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Data;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

/// <summary>Moves customers along the lifecycle from billing and payment events and the dormant scan, with history.</summary>
public sealed class LifecycleTracker(CustomerDb db, TimeProvider clock, IOptions<LifecycleOptions> options, ActivityLocks locks)
{
    /// <summary>Stages as the batch being applied found them (null: no such customer); see <see cref="StageAsync"/>.</summary>
    private readonly Dictionary<Guid, LifecycleStage?> loadedStages = [];

    public async Task OnContractSignedAsync(ContractSigned contract, CancellationToken ct)
    {
        var activity = await ActivityAsync(contract.CustomerId, ct);
        activity.LastContractSignedAt = Later(activity.LastContractSignedAt, contract.SignedAt);
        activity.LastActivityAt = Later(activity.LastActivityAt, contract.SignedAt);
        if (await db.FindTrackedAsync(contract.CustomerId, ct) is { } customer && LifecycleRules.OnContractSigned(customer.Stage) is { } to)
        {
            Move(customer, to, "contract_signed", contract.SignedAt);
        }
    }

    public async Task OnPaymentAsync(Guid customerId, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var activity = await ActivityAsync(customerId, ct);
        activity.LastActivityAt = Later(activity.LastActivityAt, receivedAt);
        if (await StageAsync(customerId, ct) is { } current && LifecycleRules.OnActivity(current, moneyAvailable: true) is { } to)
        {
            Move(await db.GetTrackedAsync(customerId, ct), to, "activity", receivedAt);
        }
    }

    /// <summary>
    /// Loads the activity records of <paramref name="customerIds"/> into the unit of work with one query (locked, see
    /// <see cref="ActivityLocks.LockAsync"/>), then reads the customers' stages and tiers (<see cref="Profiles.SnapshotsAsync"/>)
    /// and keeps the stages, so that a batch of events then finds them without asking the database once per event. The
    /// stages are read after the lock: a stage another transaction changed under the same lock (the dormant scan, a
    /// consumer of other events) is seen as committed. Profiles are read (tracked) only for the customers that move.
    /// Answers the snapshots, for the batch's other readers.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, ProfileSnapshot>> LoadAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        await locks.LockAsync(customerIds, ct);
        var profiles = await db.SnapshotsAsync(customerIds, ct);
        foreach (var id in customerIds)
        {
            loadedStages[id] = profiles.TryGetValue(id, out var profile) ? profile.Stage : null;
        }

        return profiles;
    }

    public async Task OnBalanceChangedAsync(PrepaidBalanceChanged changed, CancellationToken ct)
    {
        var activity = await ActivityAsync(changed.CustomerId, ct);
        // Events of one type are not delivered in a guaranteed order: an exhausted balance older than a positive one
        // already seen is history, not news.
        var positiveSinceThen = activity.LastPositiveBalanceAt > changed.OccurredAt;
        activity.LastActivityAt = Later(activity.LastActivityAt, changed.OccurredAt);
        if (changed.Available > 0)
        {
            activity.LastPositiveBalanceAt = Later(activity.LastPositiveBalanceAt, changed.OccurredAt);
        }

        if (await StageAsync(changed.CustomerId, ct) is not { } current)
        {
            return;
        }

        var to = changed.Available > 0
            ? LifecycleRules.OnActivity(current, moneyAvailable: true)
            : positiveSinceThen ? null
            : LifecycleRules.OnBalanceExhausted(current, activity.LastContractSignedAt, activity.LastPositiveBalanceAt);
        if (to is { } stage)
        {
            Move(await db.GetTrackedAsync(changed.CustomerId, ct), stage, changed.Available > 0 ? "activity" : "balance_exhausted", changed.OccurredAt);
        }
    }

    public async Task OnPrepaidExpiredAsync(PrepaidExpired expired, CancellationToken ct)
    {
        var activity = await ActivityAsync(expired.CustomerId, ct);
        if (expired.Available == 0
            && await db.FindTrackedAsync(expired.CustomerId, ct) is { } customer
            && LifecycleRules.OnBalanceExhausted(customer.Stage, activity.LastContractSignedAt, activity.LastPositiveBalanceAt) is { } to)
        {
            Move(customer, to, "prepaid_expired", expired.OccurredAt);
        }
    }

    /// <summary>
    /// Customers without purchase or balance activity for the configured days become dormant. Answers how many. Each
    /// one's activity record is locked first and looked at again: a customer whose events are being applied right now
    /// is left for the next scan (its record is locked), one whose events committed since the first look is left out,
    /// and a consumer that applies an event of a customer this scan moves waits for it and finds the customer dormant.
    /// </summary>
    public async Task<int> ScanDormantAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cutoff = now.AddDays(-options.Value.DormantAfterDays);
        IQueryable<CustomerProfile> Idle() => db.Set<CustomerProfile>()
            .Where(c => c.Stage == LifecycleStage.Customer)
            .Join(db.Set<CustomerActivity>().Where(a => a.LastActivityAt <= cutoff), c => c.Id, a => a.CustomerId, (c, _) => c);
        var candidates = await Idle().OrderBy(c => c.Id).Select(c => c.Id).Take(1000).ToArrayAsync(ct);
        var locked = await locks.TryLockAsync(candidates, ct);
        var idle = await Idle().Where(c => locked.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        foreach (var customer in idle)
        {
            Move(customer, LifecycleStage.Dormant, "dormant_scan", now);
        }

        return idle.Count;
    }

    /// <summary>Records the move at the time it happened (the event's time), which is what insight counts by.</summary>
    private void Move(CustomerProfile customer, LifecycleStage to, string reason, DateTimeOffset at)
    {
        db.Add(new LifecycleChange { Id = Guid.CreateVersion7(), CustomerId = customer.Id, From = customer.Stage, To = to, Reason = reason, OccurredAt = at });
        db.Enqueue(new LifecycleStageChanged(Guid.CreateVersion7(), at, customer.Id, EngagementNames.Of(customer.Stage), EngagementNames.Of(to), reason), clock);
        customer.Stage = to;
    }

    /// <summary>
    /// The customer's stage as this unit of work knows it: from its profile when tracked (moved earlier in the batch),
    /// else as <see cref="LoadAsync"/> read it for the batch, else from the database; null when there is no such customer.
    /// </summary>
    private async Task<LifecycleStage?> StageAsync(Guid customerId, CancellationToken ct)
    {
        if (db.Tracked<CustomerProfile>(c => c.Id == customerId) is { } tracked)
        {
            return tracked.Stage;
        }

        if (loadedStages.TryGetValue(customerId, out var loaded))
        {
            return loaded;
        }

        return await db.Set<CustomerProfile>().AsNoTracking().Where(c => c.Id == customerId).Select(c => (LifecycleStage?)c.Stage).SingleOrDefaultAsync(ct);
    }

    private async Task<CustomerActivity> ActivityAsync(Guid customerId, CancellationToken ct)
    {
        if (db.Set<CustomerActivity>().Local.FindEntry(customerId) is { } tracked)
        {
            return tracked.Entity;
        }

        await locks.LockAsync([customerId], ct);
        return db.Set<CustomerActivity>().Local.FindEntry(customerId)!.Entity;
    }

    private static DateTimeOffset Later(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c > candidate ? c : candidate;
}
