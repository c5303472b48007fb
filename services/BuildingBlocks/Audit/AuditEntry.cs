namespace Platform.BuildingBlocks.Audit;

/// <summary>
/// Who did what to which record, written in the same transaction as the change. Ledger transfers and payments are
/// their own records; this trail covers the people's actions around them (holds, releases, refunds, matches, clearing).
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; init; }

    public DateTimeOffset At { get; init; }

    public required string Actor { get; init; }

    /// <summary>For example hold.created, refund.approved.</summary>
    public required string Action { get; init; }

    public required string Subject { get; init; }

    public Guid? CustomerId { get; init; }

    /// <summary>What changed (before/after where there is one), as JSON; never PII.</summary>
    public required string Details { get; init; }

    public string? TraceId { get; init; }
}
