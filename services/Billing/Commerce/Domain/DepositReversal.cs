namespace Platform.Billing.Commerce.Domain;

/// <summary>
/// One announcement of a payment taken back (<c>PaymentReversed</c>), once per (payment, generation): what the reversal
/// posted, the receipt it marked and the invoice for what the customer owes again. Recorded also when the reversal
/// arrived before the announcement it takes back (nothing deposited then): that announcement then deposits nothing.
/// </summary>
public sealed class DepositReversal
{
    public Guid PaymentId { get; init; }

    /// <summary>The announcement taken back (<c>PaymentReceived.Generation</c>).</summary>
    public int Generation { get; init; }

    /// <summary>The customer whose book held the deposit.</summary>
    public Guid CustomerId { get; init; }

    public decimal Amount { get; init; }

    public required string Currency { get; init; }

    /// <summary>bounced or payer_not_a_customer.</summary>
    public required string Reason { get; init; }

    public required string Detail { get; init; }

    /// <summary>The reversing transfer; null when nothing had been deposited.</summary>
    public Guid? TransferId { get; init; }

    /// <summary>The receipt marked reversed.</summary>
    public Guid? ReceiptId { get; init; }

    /// <summary>What the customer owes again: what had settled invoices and what of the deposit was no longer in prepaid cash.</summary>
    public decimal Owed { get; init; }

    /// <summary>The invoice that asks for <see cref="Owed"/> (its receivable is the one the reversal booked).</summary>
    public Guid? InvoiceId { get; init; }

    public DateTimeOffset ReversedAt { get; init; }
}
