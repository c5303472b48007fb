using Platform.Payment.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Exceptions.Domain;

/// <summary>What kind of exception a payment raised.</summary>
public enum WorkItemKind
{
    OverPayment = 1,
    UnderPayment = 2,
    UnidentifiedPayer = 3,
    FailedPayment = 4,
    BouncedPayment = 5,

    /// <summary>Recorded during a customer service outage for a payer that turned out not to be a customer who may pay.</summary>
    UnverifiedPayer = 6,
}

/// <summary>
/// A payment exception waiting for a person: an owner works it and resolves it with a note. Its age runs from creation
/// until resolution, read from the clock, so a queue can be worked oldest first and overdue items stand out.
/// </summary>
public sealed class WorkItem
{
    public Guid Id { get; init; }

    public WorkItemKind Kind { get; init; }

    public Guid PaymentId { get; init; }

    /// <summary>Null while the payer is unidentified; set when the payment is matched.</summary>
    public Guid? CustomerId { get; set; }

    /// <summary>The invoice an under-payment left owing.</summary>
    public Guid? InvoiceId { get; init; }

    /// <summary>Over-payment: the deposited remainder; under-payment: what the invoice still owes; else the payment's amount.</summary>
    public decimal Amount { get; init; }

    public required string Currency { get; init; }

    /// <summary>What happened, for whoever picks it up; never PII.</summary>
    public required string Summary { get; init; }

    public string? Owner { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ResolvedAt { get; private set; }

    public string? ResolvedBy { get; private set; }

    public string? ResolutionNote { get; private set; }

    /// <summary>Optimistic concurrency token (PostgreSQL xmin).</summary>
    public uint Version { get; set; }

    public bool IsOpen => ResolvedAt is null;

    /// <summary>How long it has been open (or was open, once resolved).</summary>
    public TimeSpan AgeAt(DateTimeOffset now) => (ResolvedAt ?? now) - CreatedAt;

    /// <summary>Opens the work item a payment's exception calls for.</summary>
    public static WorkItem Open(WorkItemKind kind, Payment.Domain.Payment payment, DateTimeOffset now, string summary) =>
        Open(kind, payment.Id, payment.CustomerId, payment.Amount, payment.Currency, now, summary);

    public static WorkItem Open(WorkItemKind kind, Guid paymentId, Guid? customerId, decimal amount, string currency, DateTimeOffset now,
        string summary, Guid? invoiceId = null) => new()
        {
            Id = Guid.CreateVersion7(now),
            Kind = kind,
            PaymentId = paymentId,
            CustomerId = customerId,
            InvoiceId = invoiceId,
            Amount = amount,
            Currency = currency,
            Summary = summary.Length > 500 ? summary[..500] : summary,
            CreatedAt = now,
        };

    /// <summary>The work item for a payment that needs a person as soon as it is recorded, or null when it does not.</summary>
    public static WorkItem? OnRecorded(Payment.Domain.Payment payment, DateTimeOffset now) => payment.State switch
    {
        PaymentState.Unidentified => Open(WorkItemKind.UnidentifiedPayer, payment, now,
            $"{payment.Method.WireName()} payment in suspense: the payer is not known" +
            (payment.VirtualAccountNumber is { } number ? $" (virtual account {number} is nobody's)" : "")),
        PaymentState.Failed => Open(WorkItemKind.FailedPayment, payment, now,
            $"{payment.Method.WireName()} attempt failed: {payment.FailureReason}"),
        _ => null,
    };

    public void AssignTo(string owner)
    {
        EnsureOpen();
        Owner = owner;
    }

    public void Resolve(string by, string note, DateTimeOffset now)
    {
        EnsureOpen();
        ResolvedAt = now;
        ResolvedBy = by;
        ResolutionNote = note;
    }

    private void EnsureOpen()
    {
        if (!IsOpen)
        {
            throw new PreconditionFailedException("WORK_ITEM_RESOLVED", $"payment-work-items/{Id}", "the work item is already resolved");
        }
    }
}
