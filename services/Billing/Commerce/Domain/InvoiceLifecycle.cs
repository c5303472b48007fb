namespace Platform.Billing.Commerce.Domain;

public enum InvoiceState
{
    Draft = 1,
    Open = 2,
    Paid = 3,
    Void = 4,
    Uncollectible = 5,
}

public enum InvoiceAction
{
    Issue,
    Pay,
    Void,
    MarkUncollectible,
}

/// <summary>
/// The invoice state machine: a draft is issued (open) or voided; an open invoice is paid, voided or written off as
/// uncollectible; an uncollectible one may still be paid (late money) or voided. Paid and void are final.
/// </summary>
public static class InvoiceLifecycle
{
    public static InvoiceState? Next(InvoiceState from, InvoiceAction action) => (from, action) switch
    {
        (InvoiceState.Draft, InvoiceAction.Issue) => InvoiceState.Open,
        (InvoiceState.Draft, InvoiceAction.Void) => InvoiceState.Void,
        (InvoiceState.Open, InvoiceAction.Pay) => InvoiceState.Paid,
        (InvoiceState.Open, InvoiceAction.Void) => InvoiceState.Void,
        (InvoiceState.Open, InvoiceAction.MarkUncollectible) => InvoiceState.Uncollectible,
        (InvoiceState.Uncollectible, InvoiceAction.Pay) => InvoiceState.Paid,
        (InvoiceState.Uncollectible, InvoiceAction.Void) => InvoiceState.Void,
        _ => null,
    };

    public static bool CanTakePayment(InvoiceState state) => state is InvoiceState.Open or InvoiceState.Uncollectible;

    /// <summary>Gapless yearly number: INV-2026-000001.</summary>
    public static string Number(string series, int year, long sequence) => $"{series}-{year}-{sequence:D6}";
}

/// <summary>An invoice to a customer; optionally one installment of a contract.</summary>
public sealed class Invoice
{
    public Guid Id { get; init; }

    public string? Number { get; set; }

    public Guid CustomerId { get; init; }

    public Guid? ContractId { get; init; }

    public int InstallmentSequence { get; init; }

    /// <summary>The overdue invoice this one charges the late penalty of.</summary>
    public Guid? PenaltyFor { get; init; }

    /// <summary>
    /// Asks for a prepaid contract's prepayment: not a sale. Issuing it books no receivable or revenue, and what pays it
    /// is deposited as prepaid money, which the contract's charges then spend.
    /// </summary>
    public bool Prepayment { get; init; }

    public required string Description { get; init; }

    public required string Currency { get; init; }

    public decimal Amount { get; init; }

    public decimal AmountPaid { get; set; }

    public InvoiceState State { get; private set; } = InvoiceState.Draft;

    public DateTimeOffset DueDate { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? IssuedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? CloseReason { get; set; }

    public DateTimeOffset? DueNotifiedAt { get; set; }

    public DateTimeOffset? OverdueNotifiedAt { get; set; }

    public uint Version { get; set; }

    public decimal AmountDue => Amount - AmountPaid;

    /// <summary>Moves by <paramref name="action"/>, or refuses naming the state the invoice is in.</summary>
    public void Apply(InvoiceAction action, DateTimeOffset now)
    {
        State = InvoiceLifecycle.Next(State, action)
            ?? throw new Platform.ServiceDefaults.Errors.PreconditionFailedException("INVOICE_STATE", $"invoices/{Id}",
                $"an invoice in state {State.ToString().ToLowerInvariant()} cannot {action.ToString().ToLowerInvariant()}");
        if (State is InvoiceState.Paid or InvoiceState.Void)
        {
            ClosedAt = now;
        }
    }
}

/// <summary>A receipt for a payment, listing the invoices it paid.</summary>
public sealed class Receipt
{
    public Guid Id { get; init; }

    public required string Number { get; init; }

    public Guid CustomerId { get; init; }

    public Guid PaymentId { get; init; }

    /// <summary>The contract the payment was for: named by the payer, or the one contract of the invoices it paid.</summary>
    public Guid? ContractId { get; init; }

    public decimal Amount { get; init; }

    public decimal Unallocated { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset IssuedAt { get; init; }

    public List<ReceiptAllocation> Allocations { get; init; } = [];

    /// <summary>
    /// Which announcement of the payment this receipt is for (<c>PaymentReceived.Generation</c>): a payment whose deposit
    /// was taken back and that was announced again gets a new receipt; one receipt per (payment, generation).
    /// </summary>
    public int Generation { get; init; }

    /// <summary>When the payment turned out not to be there (<c>PaymentReversed</c>); the receipt stays, with its number.</summary>
    public DateTimeOffset? ReversedAt { get; set; }

    /// <summary>Why it was reversed (bounced, payer_not_a_customer).</summary>
    public string? ReversalReason { get; set; }
}

public sealed class ReceiptAllocation
{
    public Guid InvoiceId { get; init; }

    public decimal Amount { get; init; }
}

/// <summary>The last number given in one series (INV, RCP, CON) and year; locked by whoever issues the next.</summary>
public sealed class DocumentCounter
{
    public required string Series { get; init; }

    public int Year { get; init; }

    public long LastNumber { get; set; }
}

/// <summary>The late terms' arithmetic.</summary>
public static class LateTerms
{
    /// <summary>The one-time penalty on <paramref name="overdue"/>: basis points of it, rounded half away from zero to cents.</summary>
    public static decimal Penalty(decimal overdue, int basisPoints) =>
        overdue <= 0 || basisPoints <= 0 ? 0m : decimal.Round(overdue * basisPoints / 10_000m, 2, MidpointRounding.AwayFromZero);
}
