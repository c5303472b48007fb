namespace Platform.Contracts.Events;

/// <summary>One contract a scheduled price change reaches: its customer, the fee item, the old and new unit price, and
/// the date the new price applies to this contract (the list's effective date, or the contract's renewal on or after
/// it when the contract keeps its price until renewal).</summary>
public sealed record AffectedContract(
    Guid ContractId,
    Guid CustomerId,
    string FeeItemCode,
    decimal OldPrice,
    decimal NewPrice,
    DateTimeOffset EffectiveAt);

/// <summary>A new price list version was scheduled, after the notice period. Notification tells each affected customer.</summary>
public sealed record PriceChangeScheduled(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid PriceListId,
    int Version,
    DateTimeOffset EffectiveFrom,
    string Currency,
    IReadOnlyList<AffectedContract> AffectedContracts) : IIntegrationEvent;

/// <summary>Collections (or finance) suspended the service of one contract; other contracts of the customer are untouched.</summary>
public sealed record ContractSuspended(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid ContractId,
    Guid CustomerId,
    string Reason) : IIntegrationEvent;

/// <summary>A suspended contract is active again (payment received, or finance decided).</summary>
public sealed record ContractResumed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid ContractId,
    Guid CustomerId,
    string Reason) : IIntegrationEvent;

/// <summary>A contract's service ended for good.</summary>
public sealed record ContractTerminated(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid ContractId,
    Guid CustomerId,
    string Reason) : IIntegrationEvent;

/// <summary>An invoice was issued: it has its gapless number and is open for payment.</summary>
public sealed record InvoiceIssued(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid InvoiceId,
    string InvoiceNumber,
    Guid CustomerId,
    Guid? ContractId,
    decimal Amount,
    string Currency,
    DateTimeOffset DueDate) : IIntegrationEvent;

/// <summary>An open invoice reached its due date unpaid. Raised once per invoice.</summary>
public sealed record InvoiceDue(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid InvoiceId,
    string InvoiceNumber,
    Guid CustomerId,
    Guid? ContractId,
    decimal AmountDue,
    string Currency,
    DateTimeOffset DueDate) : IIntegrationEvent;

/// <summary>An open invoice is unpaid the day after its due date; counted from the due date. Raised once per invoice;
/// collections decides what to do with the contract's grace days.</summary>
public sealed record InvoiceOverdue(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid InvoiceId,
    string InvoiceNumber,
    Guid CustomerId,
    Guid? ContractId,
    decimal AmountDue,
    string Currency,
    DateTimeOffset DueDate,
    int DaysOverdue,
    int GraceDays) : IIntegrationEvent;

/// <summary>An invoice was paid in full by allocated payments.</summary>
public sealed record InvoicePaid(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid InvoiceId,
    string InvoiceNumber,
    Guid CustomerId,
    Guid? ContractId,
    decimal Amount,
    string Currency) : IIntegrationEvent;

/// <summary>
/// An issued invoice was voided: nothing is owed on it any more (what was still due, <paramref name="AmountDue"/>, was
/// taken back from the receivable). Voiding a draft raises nothing: it was never owed.
/// </summary>
public sealed record InvoiceVoided(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid InvoiceId,
    string InvoiceNumber,
    Guid CustomerId,
    Guid? ContractId,
    decimal AmountDue,
    string Currency,
    string Reason) : IIntegrationEvent;

/// <summary>The part of one payment billing applied to one invoice, and what that invoice still owes afterwards.</summary>
public sealed record InvoiceAllocation(Guid InvoiceId, decimal Amount, decimal RemainingDue);

/// <summary>
/// Billing applied a received payment: to invoices (each with what it still owes afterwards), and the rest deposited as
/// prepaid. Raised once per payment, with its receipt. The payment service reads over- and under-payments from it, and
/// collections re-anchors (partly paid) or closes (paid in full) the cases of those invoices.
/// </summary>
/// <param name="InvoicesNamed">The payment named its invoices (otherwise billing chose the oldest open ones).</param>
public sealed record PaymentAllocated(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid CustomerId,
    decimal Amount,
    string Currency,
    IReadOnlyList<InvoiceAllocation> Allocations,
    decimal Deposited,
    bool InvoicesNamed,
    string ReceiptNumber) : IIntegrationEvent;
