using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

/// <summary>Moves customers along the lifecycle from billing and payment events and the dormant scan, with history.</summary>
public sealed class LifecycleTracker(CustomerDb db, TimeProvider clock, IOptions<LifecycleOptions> options)
{
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
        if (await db.FindTrackedAsync(customerId, ct) is { } customer && LifecycleRules.OnActivity(customer.Stage, moneyAvailable: true) is { } to)
        {
            Move(customer, to, "activity", receivedAt);
        }
    }

    /// <summary>
    /// Loads the activity records and profiles of <paramref name="customerIds"/> into the unit of work with two queries, so
    /// that a batch of events then finds them there instead of asking the database once per event.
    /// </summary>
    public async Task LoadAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        await db.Set<CustomerActivity>().Where(a => customerIds.Contains(a.CustomerId)).LoadAsync(ct);
        await db.Set<CustomerProfile>().Where(c => customerIds.Contains(c.Id)).LoadAsync(ct);
    }

    public async Task OnBalanceChangedAsync(PrepaidBalanceChanged changed, CancellationToken ct)
    {
        var activity = await ActivityAsync(changed.CustomerId, ct);
        activity.LastActivityAt = Later(activity.LastActivityAt, changed.OccurredAt);
        if (changed.Available > 0)
        {
            activity.LastPositiveBalanceAt = Later(activity.LastPositiveBalanceAt, changed.OccurredAt);
        }

        if (await db.FindTrackedAsync(changed.CustomerId, ct) is not { } customer)
        {
            return;
        }

        var to = changed.Available > 0
            ? LifecycleRules.OnActivity(customer.Stage, moneyAvailable: true)
            : LifecycleRules.OnBalanceExhausted(customer.Stage, activity.LastContractSignedAt, activity.LastPositiveBalanceAt);
        if (to is { } stage)
        {
            Move(customer, stage, changed.Available > 0 ? "activity" : "balance_exhausted", changed.OccurredAt);
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

    /// <summary>Customers without purchase or balance activity for the configured days become dormant. Answers how many.</summary>
    public async Task<int> ScanDormantAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cutoff = now.AddDays(-options.Value.DormantAfterDays);
        var idle = await db.Set<CustomerProfile>()
            .Where(c => c.Stage == LifecycleStage.Customer)
            .Join(db.Set<CustomerActivity>().Where(a => a.LastActivityAt <= cutoff), c => c.Id, a => a.CustomerId, (c, _) => c)
            .Take(1000)
            .ToListAsync(ct);
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

    private async Task<CustomerActivity> ActivityAsync(Guid customerId, CancellationToken ct)
    {
        var activity = await db.Set<CustomerActivity>().FindAsync([customerId], ct);
        if (activity is null)
        {
            activity = new CustomerActivity { CustomerId = customerId };
            db.Add(activity);
        }

        return activity;
    }

    private static DateTimeOffset Later(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c > candidate ? c : candidate;
}
