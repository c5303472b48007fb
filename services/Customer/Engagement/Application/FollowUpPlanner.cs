using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Engagement.Application;

/// <summary>A task list filter; at least one of owner and customer.</summary>
public sealed record TaskFilter(Guid? OwnerId, Guid? CustomerId, FollowUpTaskState? State, DateTimeOffset? DueBefore);

/// <summary>Follow-up plans: the cadence per grade, one open task per graded customer with an owner, interactions on completion.</summary>
public sealed class FollowUpPlanner(CustomerDb db, TimeProvider clock)
{
    public async Task<IReadOnlyList<CadencePolicy>> PoliciesAsync(CancellationToken ct)
    {
        var stored = await db.Set<CadencePolicy>().AsNoTracking().ToListAsync(ct);
        return Cadence.Defaults().Select(d => stored.SingleOrDefault(s => s.Grade == d.Grade) ?? d).ToList();
    }

    public async Task<CadencePolicy> PolicyAsync(IntentGrade grade, CancellationToken ct) =>
        await db.Set<CadencePolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.Grade == grade, ct)
        ?? Cadence.Defaults().Single(p => p.Grade == grade);

    public async Task<CadencePolicy> UpdatePolicyAsync(IntentGrade grade, int intervalDays, IReadOnlyList<InteractionKind> channels, string description,
        CancellationToken ct)
    {
        var policy = await db.Set<CadencePolicy>().SingleOrDefaultAsync(p => p.Grade == grade, ct);
        if (policy is null)
        {
            policy = new CadencePolicy { Grade = grade, Channels = "" };
            db.Add(policy);
        }

        policy.IntervalDays = intervalDays;
        policy.Channels = CadencePolicy.Join(channels);
        policy.Description = description;
        await db.SaveChangesAsync(ct);
        return policy;
    }

    /// <summary>
    /// A new plan for the customer's current grade and owner: open tasks are cancelled and the first task of the new
    /// cadence is due one interval after <paramref name="from"/> (the grade change). A customer without grade or owner gets no task.
    /// </summary>
    public async Task<FollowUpTask?> ReplanAsync(CustomerProfile customer, DateTimeOffset from, CancellationToken ct)
    {
        var open = await db.Set<FollowUpTask>().Where(t => t.CustomerId == customer.Id && t.State == FollowUpTaskState.Open).ToListAsync(ct);
        open.ForEach(t => t.State = FollowUpTaskState.Cancelled);
        await db.SaveChangesAsync(ct); // the cancelled task leaves the one-open-task index before the next one enters it
        return await ScheduleNextAsync(customer, from, ct);
    }

    public async Task<(FollowUpTask Task, Interaction Interaction, FollowUpTask? Next)> CompleteAsync(Guid taskId, InteractionKind kind, string outcome,
        string recordedBy, CancellationToken ct)
    {
        var task = await db.Set<FollowUpTask>().SingleOrDefaultAsync(t => t.Id == taskId, ct) ?? throw new NotFoundException("follow_up_task", taskId.ToString());
        // Before the state: an erased customer's task was cancelled by the erasure, and the caller should hear why.
        await db.RequireEngageableAsync(task.CustomerId, ct);
        if (task.State != FollowUpTaskState.Open)
        {
            throw new PreconditionFailedException("TASK_NOT_OPEN", taskId.ToString(), $"The task is {task.State.ToString().ToLowerInvariant()}");
        }

        var now = clock.GetUtcNow();
        task.State = FollowUpTaskState.Done;
        task.CompletedAt = now;
        var interaction = new Interaction
        {
            Id = Guid.CreateVersion7(),
            CustomerId = task.CustomerId,
            TaskId = task.Id,
            Kind = kind,
            Outcome = outcome,
            RecordedBy = recordedBy,
            OccurredAt = now,
        };
        db.Add(interaction);
        await db.SaveChangesAsync(ct);
        var customer = await db.GetTrackedAsync(task.CustomerId, ct);
        var next = await ScheduleNextAsync(customer, now, ct);
        return (task, interaction, next);
    }

    public async Task<IReadOnlyList<FollowUpTask>> ListAsync(TaskFilter filter, (DateTimeOffset At, Guid Id)? after, int size, CancellationToken ct)
    {
        var query = db.Set<FollowUpTask>().AsNoTracking();
        if (filter.OwnerId is { } owner)
        {
            query = query.Where(t => t.OwnerId == owner);
        }

        if (filter.CustomerId is { } customer)
        {
            query = query.Where(t => t.CustomerId == customer);
        }

        if (filter.State is { } state)
        {
            query = query.Where(t => t.State == state);
        }

        if (filter.DueBefore is { } before)
        {
            query = query.Where(t => t.DueAt < before);
        }

        if (after is var (at, id))
        {
            query = query.Where(t => t.DueAt > at || (t.DueAt == at && t.Id.CompareTo(id) > 0));
        }

        return await query.OrderBy(t => t.DueAt).ThenBy(t => t.Id).Take(size + 1).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<Interaction>> InteractionsAsync(Guid customerId, (DateTimeOffset At, Guid Id)? after, int size, CancellationToken ct)
    {
        var query = db.Set<Interaction>().AsNoTracking().Where(i => i.CustomerId == customerId);
        if (after is var (at, id))
        {
            query = query.Where(i => i.OccurredAt < at || (i.OccurredAt == at && i.Id.CompareTo(id) < 0));
        }

        return await query.OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Id).Take(size + 1).ToListAsync(ct);
    }

    /// <summary>Raises FollowUpDue once for each open task past due. Answers how many.</summary>
    public async Task<int> RaiseOverdueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var overdue = await db.Set<FollowUpTask>()
            .Where(t => t.State == FollowUpTaskState.Open && t.OverdueRaisedAt == null && t.DueAt < now)
            .OrderBy(t => t.DueAt).Take(1000).ToListAsync(ct);
        foreach (var task in overdue.Where(t => Cadence.IsNewlyOverdue(t, now)))
        {
            task.OverdueRaisedAt = now;
            db.Enqueue(new FollowUpDue(Guid.CreateVersion7(), now, task.Id, task.CustomerId, task.OwnerId, task.DueAt, EngagementNames.Of(task.Channel)), clock);
        }

        return overdue.Count;
    }

    /// <summary>Graded customers with an owner but no open task (an owner assigned later, a plan cut short) get their next task.</summary>
    public async Task<int> FillGapsAsync(CancellationToken ct)
    {
        var unplanned = await db.Set<CustomerProfile>()
            .Where(c => c.IntentGrade != IntentGrade.Ungraded && c.OwnerId != null
                && c.Stage != LifecycleStage.Erased && c.Stage != LifecycleStage.Churned
                && !db.Set<FollowUpTask>().Any(t => t.CustomerId == c.Id && t.State == FollowUpTaskState.Open))
            .OrderBy(c => c.Id).Take(1000).ToListAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var customer in unplanned)
        {
            await ScheduleNextAsync(customer, now, ct);
        }

        return unplanned.Count;
    }

    private async Task<FollowUpTask?> ScheduleNextAsync(CustomerProfile customer, DateTimeOffset from, CancellationToken ct)
    {
        if (customer.IntentGrade == IntentGrade.Ungraded || customer.OwnerId is not { } owner || customer.Stage is LifecycleStage.Erased)
        {
            return null;
        }

        var task = Cadence.Next(await PolicyAsync(customer.IntentGrade, ct), customer.Id, owner, from);
        db.Add(task);
        return task;
    }
}
