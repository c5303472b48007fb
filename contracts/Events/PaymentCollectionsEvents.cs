namespace Platform.Contracts.Events;

/// <summary>
/// A collections case reached a stage of the dunning ladder (friendly_reminder, second_notice, call_task, negotiation,
/// promise_to_pay, suspension, termination, legal_handoff). Notification turns it into the stage's notice.
/// </summary>
/// <param name="Trigger">"schedule" (the stage's day offset came) or "broken_promise" (escalated at once).</param>
/// <param name="OwnerId">The customer's owner (sales rep) when known: the call task is theirs.</param>
public sealed record CollectionsStageReached(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CaseId,
    Guid InvoiceId,
    string InvoiceNumber,
    Guid CustomerId,
    Guid? ContractId,
    Guid? OwnerId,
    string Stage,
    decimal AmountDue,
    string Currency,
    DateTimeOffset DueDate,
    int DaysOverdue,
    string Trigger) : IIntegrationEvent;

/// <summary>
/// A collections case closed: its invoice was paid in full, or finance wrote the debt off at the end of the ladder.
/// Pending dunning notices of the case are cancelled either way.
/// </summary>
/// <param name="Reason">"paid" or "written_off".</param>
/// <param name="AmountWrittenOff">What was still owed when the case was written off; null when paid (and in events from before write-offs).</param>
/// <param name="Currency">The currency of <paramref name="AmountWrittenOff"/>; null when paid.</param>
public sealed record CollectionsCaseClosed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CaseId,
    Guid InvoiceId,
    Guid CustomerId,
    Guid? ContractId,
    string Reason,
    decimal? AmountWrittenOff = null,
    string? Currency = null) : IIntegrationEvent;
