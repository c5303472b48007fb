using Platform.Payment.Collections.Domain;

namespace Platform.Payment.Collections.Application;

/// <summary>Configuration section Payment:Collections.</summary>
public sealed class CollectionsOptions
{
    public const string Section = "Payment:Collections";

    /// <summary>
    /// Day offsets of each stage from the anchor (the due date or the last partial payment), by stage name
    /// (FriendlyReminder, SecondNotice, CallTask, Negotiation, PromiseToPay, Suspension, Termination, LegalHandoff).
    /// A negative offset leaves the stage out of the ladder.
    /// </summary>
    public Dictionary<string, int> Ladder { get; set; } = DunningLadder.DefaultSteps.ToDictionary(s => s.Stage.ToString(), s => s.OffsetDays);

    /// <summary>How often the collections job advances cases and retries calls to billing.</summary>
    public TimeSpan JobInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>False: the job does not run on its own schedule (a replica that must not dun, or a test driving passes itself).</summary>
    public bool JobEnabled { get; set; } = true;

    /// <summary>Cases and billing actions handled per pass.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// The longest a billing action billing did not answer waits for its next try. It is tried again after as long as it
    /// has been waiting, at least <see cref="JobInterval"/>.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    public DunningLadder ToLadder() => new(Ladder.Where(s => s.Value >= 0)
        .Select(s => new LadderStep(Enum.Parse<DunningStage>(s.Key, ignoreCase: true), s.Value)));
}
