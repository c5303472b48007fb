namespace Platform.Contracts.Events;

/// <summary>
/// The payment service recorded money received from a customer. Billing deposits it into the prepaid ledger (or
/// allocates it to the invoices named); the customer service counts it for value tier, loyalty and lifecycle.
/// </summary>
/// <param name="Method">cash, cheque, card, bank_transfer, alipay, wechat_pay or virtual_account.</param>
/// <param name="InvoiceIds">Invoices the payment is allocated to; empty for a prepaid deposit.</param>
/// <param name="Generation">
/// How many times this payment's announcement was taken back before (<c>PaymentReversed</c>): 0 the first time. A payment
/// taken back to suspense and matched again is announced anew with the next generation, so a consumer keys what it
/// applies once on (payment id, generation): a redelivered or re-published older announcement meets the same key again.
/// </param>
public sealed record PaymentReceived(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid CustomerId,
    decimal Amount,
    string Currency,
    string Method,
    DateTimeOffset ReceivedAt,
    Guid? ContractId = null,
    IReadOnlyList<Guid>? InvoiceIds = null,
    int Generation = 0) : IIntegrationEvent;

/// <summary>The payment service paid an approved refund out to the customer; billing closes the refund.</summary>
public sealed record RefundPaid(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid RefundId,
    Guid CustomerId,
    decimal Amount,
    string Currency,
    Guid? PaymentId = null) : IIntegrationEvent;

/// <summary>The payment service could not pay an approved refund out; billing returns the money to prepaid cash.</summary>
public sealed record RefundFailed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid RefundId,
    Guid CustomerId,
    string Reason) : IIntegrationEvent;

/// <summary>
/// A cheque bounced: the drawer's bank refused it. Credit counts bounced payments; collections may follow up. A pending
/// cheque was never announced, so nothing is to be taken back; a cheque that had cleared (and was announced by
/// <c>PaymentReceived</c>) comes back after clearing, and <c>PaymentReversed</c> follows in the same transaction.
/// </summary>
/// <param name="Method">Always cheque today; kept so a later bounced method (a direct debit) needs no new event.</param>
/// <param name="Reason">The bank's reason as the clerk recorded it.</param>
public sealed record PaymentBounced(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid CustomerId,
    decimal Amount,
    string Currency,
    string Method,
    string Reason) : IIntegrationEvent;
