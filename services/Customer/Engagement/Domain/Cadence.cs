using Platform.Customer.Domain;

namespace Platform.Customer.Engagement.Domain;

/// <summary>How often and how the owner follows up a customer of one intent grade.</summary>
public sealed class CadencePolicy
{
    public IntentGrade Grade { get; init; }

    public int IntervalDays { get; set; }

    /// <summary>Channels, the first one is the task's; stored as comma-separated lower-case names.</summary>
    public required string Channels { get; set; }

    public string Description { get; set; } = "";

    public IReadOnlyList<InteractionKind> ChannelList =>
        Channels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => Enum.Parse<InteractionKind>(c, ignoreCase: true)).ToList();

    public InteractionKind PrimaryChannel => ChannelList[0];

    public static string Join(IEnumerable<InteractionKind> channels) =>
        string.Join(',', channels.Select(c => c.ToString().ToLowerInvariant()));
}

/// <summary>The cadence rules: defaults from the domain file and the due date of the next task.</summary>
public static class Cadence
{
    public const int MaxIntervalDays = 366;

    /// <summary>A weekly call or visit, B every two weeks e-mail plus call when needed, C a monthly newsletter.</summary>
    public static IReadOnlyList<CadencePolicy> Defaults() =>
    [
        new() { Grade = IntentGrade.A, IntervalDays = 7, Channels = CadencePolicy.Join([InteractionKind.Call, InteractionKind.Visit]), Description = "weekly call or visit" },
        new() { Grade = IntentGrade.B, IntervalDays = 14, Channels = CadencePolicy.Join([InteractionKind.Email, InteractionKind.Call]), Description = "every two weeks e-mail, plus a call when needed" },
        new() { Grade = IntentGrade.C, IntervalDays = 30, Channels = CadencePolicy.Join([InteractionKind.Newsletter]), Description = "monthly newsletter" },
    ];

    /// <summary>
    /// The next task of a plan: one interval after <paramref name="from"/> (the grade change or the completion of the
    /// previous task), so the plan rolls forward from what really happened rather than from a fixed calendar.
    /// </summary>
    public static FollowUpTask Next(CadencePolicy policy, Guid customerId, Guid ownerId, DateTimeOffset from) => new()
    {
        Id = Guid.CreateVersion7(),
        CustomerId = customerId,
        OwnerId = ownerId,
        Grade = policy.Grade,
        Channel = policy.PrimaryChannel,
        DueAt = from.AddDays(policy.IntervalDays),
        State = FollowUpTaskState.Open,
        CreatedAt = from,
    };

    /// <summary>Open tasks past due that have not yet raised FollowUpDue.</summary>
    public static bool IsNewlyOverdue(FollowUpTask task, DateTimeOffset now) =>
        task.State == FollowUpTaskState.Open && task.DueAt < now && task.OverdueRaisedAt is null;
}

public sealed class FollowUpTask
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public Guid OwnerId { get; init; }

    public IntentGrade Grade { get; init; }

    public InteractionKind Channel { get; init; }

    public DateTimeOffset DueAt { get; init; }

    public FollowUpTaskState State { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? OverdueRaisedAt { get; set; }

    /// <summary>Done no later than due: counts for the follow-up execution rate.</summary>
    public bool DoneOnTime => State == FollowUpTaskState.Done && CompletedAt <= DueAt;
}

/// <summary>A recorded contact with the customer (call, visit, e-mail, meeting, note) and what came of it.</summary>
public sealed class Interaction
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public Guid? TaskId { get; init; }

    public InteractionKind Kind { get; init; }

    public required string Outcome { get; init; }

    public required string RecordedBy { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}
