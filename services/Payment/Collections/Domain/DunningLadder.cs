namespace Platform.Payment.Collections.Domain;

/// <summary>The stages of the dunning ladder, in order. <see cref="Opened"/> is a new case before its first stage.</summary>
public enum DunningStage
{
    Opened = 1,
    FriendlyReminder = 2,
    SecondNotice = 3,
    CallTask = 4,
    Negotiation = 5,
    PromiseToPay = 6,
    Suspension = 7,
    Termination = 8,
    LegalHandoff = 9,
}

/// <summary>One rung: the stage and the days after the anchor (the due date, or the last partial payment) it comes.</summary>
public sealed record LadderStep(DunningStage Stage, int OffsetDays);

/// <summary>
/// The configured ladder: stages in their business order with increasing day offsets. A stage left out of the
/// configuration is skipped (a business that never suspends drops <see cref="DunningStage.Suspension"/>).
/// </summary>
public sealed class DunningLadder
{
    private readonly List<LadderStep> steps;

    public DunningLadder(IEnumerable<LadderStep> configured)
    {
        steps = configured.OrderBy(s => s.Stage).ToList();
        if (steps.Count == 0 || steps.Any(s => s.Stage == DunningStage.Opened))
        {
            throw new ArgumentException("A dunning ladder has at least one stage after opened.", nameof(configured));
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].OffsetDays < 0 || (i > 0 && steps[i].OffsetDays < steps[i - 1].OffsetDays) || (i > 0 && steps[i].Stage == steps[i - 1].Stage))
            {
                throw new ArgumentException(
                    $"Dunning stages need distinct stages with non-negative offsets that do not decrease along the ladder ({steps[i].Stage} at {steps[i].OffsetDays}).",
                    nameof(configured));
            }
        }
    }

    /// <summary>The defaults of the domain file: reminder, second notice, call, negotiation, promise, suspend, terminate, legal.</summary>
    public static DunningLadder Default { get; } = new(DefaultSteps);

    public static IReadOnlyList<LadderStep> DefaultSteps =>
    [
        new(DunningStage.FriendlyReminder, 1),
        new(DunningStage.SecondNotice, 7),
        new(DunningStage.CallTask, 14),
        new(DunningStage.Negotiation, 21),
        new(DunningStage.PromiseToPay, 30),
        new(DunningStage.Suspension, 45),
        new(DunningStage.Termination, 60),
        new(DunningStage.LegalHandoff, 90),
    ];

    public IReadOnlyList<LadderStep> Steps => steps;

    /// <summary>The configured step following <paramref name="stage"/>, or null at the top of the ladder.</summary>
    public LadderStep? After(DunningStage stage) => steps.FirstOrDefault(s => s.Stage > stage);
}
