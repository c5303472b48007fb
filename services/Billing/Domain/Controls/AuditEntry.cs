namespace Platform.Billing.Domain.Controls;

/// <summary>
/// Who did what to which billing record, written in the same transaction as the change. Ledger transfers are their own
/// append-only record; this trail covers the people's actions around them (holds, releases, refunds, adjustments).
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

    /// <summary>What changed, as JSON (no PII: billing holds none).</summary>
    public required string Details { get; init; }

    public string? TraceId { get; init; }
}
