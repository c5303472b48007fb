namespace Platform.Payment.Collections.Domain;

/// <summary>A negotiation with the customer about a case: the strategy tried and what came of it.</summary>
public sealed class Negotiation
{
    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    public required string Strategy { get; init; }

    public required string Outcome { get; init; }

    public string Note { get; init; } = "";

    public required string RecordedBy { get; init; }

    public DateTimeOffset RecordedAt { get; init; }
}

public enum ContractActionKind
{
    Suspend = 1,
    Resume = 2,
    Terminate = 3,

    /// <summary>The case was written off: billing marks the case's invoice uncollectible (no contract involved).</summary>
    Uncollectible = 4,
}

/// <summary>
/// A change collections asked of billing for one contract (or, for a write-off, the case's invoice). Written in the
/// same transaction as the stage change that wants it and carried out by the collections job, which retries it until
/// billing answers; its id is the request_id billing sees, so a retry after a lost answer is applied once.
/// </summary>
public sealed class ContractAction
{
    /// <summary>The longest reason billing's contract and invoice calls take (and the column keeps).</summary>
    public const int MaxReasonLength = 500;

    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    /// <summary>The contract to suspend, resume or terminate; null for <see cref="ContractActionKind.Uncollectible"/>.</summary>
    public Guid? ContractId { get; init; }

    public ContractActionKind Kind { get; init; }

    public required string Reason { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public int Attempts { get; set; }

    /// <summary>When the collections job calls billing for it: at once when queued, after a backoff when billing did not answer.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? DoneAt { get; set; }

    /// <summary>The case closed before billing was asked: nothing to do any more.</summary>
    public DateTimeOffset? CancelledAt { get; set; }

    public uint Version { get; set; }
}
