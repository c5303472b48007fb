namespace Platform.Contracts.Events;

/// <summary>
/// Money the payment service announced as received (<c>PaymentReceived</c> of this <paramref name="Generation"/>) turned
/// out not to be there for <paramref name="CustomerId"/>: a cleared cheque came back from the bank, or the payer re-check
/// found the payer is not a customer (the payment went back to suspense and may be matched, and announced, again with
/// the next generation). Billing takes back what it deposited for that announcement, once per (payment id, generation).
/// </summary>
/// <remarks>
/// A separate event rather than a wider <c>PaymentBounced</c>: a bounce is one of two causes, and a bounce of a pending
/// cheque has nothing to take back. Billing consumes this one fact, whatever the cause, and needs nothing else.
/// </remarks>
/// <param name="CustomerId">The customer the reversed announcement named (whose book received the deposit).</param>
/// <param name="Reason"><c>bounced</c> or <c>payer_not_a_customer</c>.</param>
/// <param name="Detail">Why, in words (the bank's reason, the re-check's finding); never PII.</param>
public sealed record PaymentReversed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid CustomerId,
    decimal Amount,
    string Currency,
    string Method,
    int Generation,
    string Reason,
    string Detail) : IIntegrationEvent
{
    /// <summary>A cleared cheque came back from the bank.</summary>
    public const string Bounced = "bounced";

    /// <summary>The payer re-check found the payer is not a customer who may pay; the payment is in suspense again.</summary>
    public const string PayerNotACustomer = "payer_not_a_customer";
}
