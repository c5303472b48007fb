using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Engagement.Application;

/// <summary>The purchase-intent grade sales sets, with its history; a new grade starts a new follow-up plan.</summary>
public sealed class IntentGrading(CustomerDb db, TimeProvider clock, FollowUpPlanner planner)
{
    public async Task<IntentGradeRecord> SetAsync(Guid customerId, IntentGrade grade, string reason, string changedBy, CancellationToken ct)
    {
        await db.RequireEngageableAsync(customerId, ct);
        var customer = await db.GetTrackedAsync(customerId, ct);

        var now = clock.GetUtcNow();
        var record = new IntentGradeRecord
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            From = customer.IntentGrade,
            To = grade,
            Reason = reason,
            ChangedBy = changedBy,
            ChangedAt = now,
        };
        db.Add(record);
        var changed = customer.IntentGrade != grade;
        if (changed)
        {
            db.Enqueue(new IntentGradeChanged(Guid.CreateVersion7(), now, customerId, EngagementNames.Of(customer.IntentGrade), EngagementNames.Of(grade),
                reason, changedBy), clock);
            customer.IntentGrade = grade;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // An event (lifecycle, tier) or another edit changed the profile between our read and write.
            throw new ConcurrencyConflictException("The customer changed concurrently; set the grade again");
        }

        var hasOpenTask = await db.Set<FollowUpTask>().AnyAsync(t => t.CustomerId == customerId && t.State == FollowUpTaskState.Open, ct);
        if (changed || !hasOpenTask)
        {
            await planner.ReplanAsync(customer, now, ct);
            await db.SaveChangesAsync(ct);
        }

        return record;
    }

    public async Task<IReadOnlyList<IntentGradeRecord>> HistoryAsync(Guid customerId, CancellationToken ct)
    {
        await RequireCustomerAsync(customerId, ct);
        return await db.Set<IntentGradeRecord>().AsNoTracking().Where(r => r.CustomerId == customerId).OrderBy(r => r.ChangedAt).ThenBy(r => r.Id).ToListAsync(ct);
    }

    public async Task<(CustomerProfile Customer, IReadOnlyList<LifecycleChange> Changes, DateTimeOffset? LastActivity)> LifecycleAsync(Guid customerId, CancellationToken ct)
    {
        var customer = await db.Set<CustomerProfile>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId, ct)
            ?? throw new NotFoundException("customer", customerId.ToString());
        var changes = await db.Set<LifecycleChange>().AsNoTracking().Where(c => c.CustomerId == customerId).OrderBy(c => c.OccurredAt).ThenBy(c => c.Id).ToListAsync(ct);
        var activity = await db.Set<CustomerActivity>().AsNoTracking().SingleOrDefaultAsync(a => a.CustomerId == customerId, ct);
        return (customer, changes, activity?.LastActivityAt);
    }

    public async Task<CustomerProfile> RequireCustomerAsync(Guid customerId, CancellationToken ct) =>
        await db.Set<CustomerProfile>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId, ct)
        ?? throw new NotFoundException("customer", customerId.ToString());
}
