namespace Platform.Customer.Engagement.Domain;

/// <summary>The pipeline's allowed moves and default probabilities: a pure state machine.</summary>
public static class PipelineStages
{
    private static readonly Dictionary<OpportunityStage, OpportunityStage[]> Moves = new()
    {
        [OpportunityStage.FirstContact] = [OpportunityStage.NeedsDiscovery, OpportunityStage.Lost],
        [OpportunityStage.NeedsDiscovery] = [OpportunityStage.Proposal, OpportunityStage.Lost],
        [OpportunityStage.Proposal] = [OpportunityStage.ObjectionHandling, OpportunityStage.Closing, OpportunityStage.Lost],
        [OpportunityStage.ObjectionHandling] = [OpportunityStage.Proposal, OpportunityStage.Closing, OpportunityStage.Lost],
        [OpportunityStage.Closing] = [OpportunityStage.Won, OpportunityStage.ObjectionHandling, OpportunityStage.Lost],
        [OpportunityStage.Won] = [],
        [OpportunityStage.Lost] = [],
    };

    public static bool IsFinal(OpportunityStage stage) => stage is OpportunityStage.Won or OpportunityStage.Lost;

    public static bool CanMove(OpportunityStage from, OpportunityStage to) => Moves[from].Contains(to);

    public static IReadOnlyList<OpportunityStage> AllowedFrom(OpportunityStage from) => Moves[from];

    /// <summary>The probability an opportunity in a stage closes, when the rep gives none.</summary>
    public static int DefaultProbability(OpportunityStage stage) => stage switch
    {
        OpportunityStage.FirstContact => 10,
        OpportunityStage.NeedsDiscovery => 20,
        OpportunityStage.Proposal => 40,
        OpportunityStage.ObjectionHandling => 50,
        OpportunityStage.Closing => 80,
        OpportunityStage.Won => 100,
        _ => 0,
    };

    /// <summary>
    /// Applies a move: refuses a move the table does not allow and a loss without a reason; answers the history row.
    /// Won and lost fix the probability at 100 and 0.
    /// </summary>
    public static OpportunityStageChange Move(Opportunity opportunity, OpportunityStage to, string? lostReason, int? probability,
        string changedBy, DateTimeOffset now)
    {
        if (!CanMove(opportunity.Stage, to))
        {
            throw new InvalidOperationException($"An opportunity in {opportunity.Stage} cannot move to {to}");
        }

        if (to == OpportunityStage.Lost && string.IsNullOrWhiteSpace(lostReason))
        {
            throw new ArgumentException("A lost opportunity needs a reason", nameof(lostReason));
        }

        var change = new OpportunityStageChange
        {
            Id = Guid.CreateVersion7(),
            OpportunityId = opportunity.Id,
            From = opportunity.Stage,
            To = to,
            ChangedBy = changedBy,
            ChangedAt = now,
        };
        opportunity.Stage = to;
        opportunity.LostReason = to == OpportunityStage.Lost ? lostReason : null;
        opportunity.Probability = IsFinal(to) ? DefaultProbability(to) : probability ?? DefaultProbability(to);
        return change;
    }
}

public sealed class Opportunity
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public Guid OwnerId { get; set; }

    public required string Title { get; set; }

    public OpportunityStage Stage { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public DateTimeOffset? ExpectedCloseAt { get; set; }

    public int Probability { get; set; }

    public string? LostReason { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public uint Version { get; set; }
}

public sealed class OpportunityStageChange
{
    public Guid Id { get; init; }

    public Guid OpportunityId { get; init; }

    public OpportunityStage From { get; init; }

    public OpportunityStage To { get; init; }

    public required string ChangedBy { get; init; }

    public DateTimeOffset ChangedAt { get; init; }
}
