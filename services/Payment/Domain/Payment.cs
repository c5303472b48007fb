namespace Platform.Payment.Domain;

/// <summary>How the customer paid. The wire names (snake_case) are the ones <c>PaymentReceived.Method</c> carries.</summary>
public enum PaymentMethod
{
    Cash,
    Cheque,
    Card,
    BankTransfer,
    Alipay,
    WechatPay,
    VirtualAccount,
}

/// <summary>
/// Where a recorded payment stands. Only <see cref="Received"/> money is announced to billing (<c>PaymentReceived</c>);
/// a cheque is <see cref="Pending"/> until it clears; an unidentified transfer waits in suspense until it is matched.
/// </summary>
public enum PaymentState
{
    Pending,
    Received,
    Bounced,
    Failed,
    Unidentified,
}

/// <summary>One payment as recorded: money in from a customer, by one method, with the reference that identifies it.</summary>
public sealed class Payment
{
    public Guid Id { get; init; }

    /// <summary>Null while the payer is unidentified (suspense).</summary>
    public Guid? CustomerId { get; set; }

    /// <summary>
    /// Recorded while the customer service could not confirm the payer; the payer re-check clears it once it can, and
    /// opens a work item when the payer turns out not to be a customer who may pay.
    /// </summary>
    public bool PayerUnverified { get; set; }

    public PaymentMethod Method { get; init; }

    public PaymentState State { get; set; }

    public decimal Amount { get; init; }

    public required string Currency { get; init; }

    /// <summary>The bank, cheque, card or wallet reference; reconciliation matches statement lines by it.</summary>
    public string? Reference { get; init; }

    /// <summary>Who took the payment (a person for cash and cheques, the caller's identity otherwise).</summary>
    public string? Collector { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The contract a prepaid deposit is for, when the payer named one.</summary>
    public Guid? ContractId { get; set; }

    /// <summary>The invoices the payment is for; empty for a prepaid deposit.</summary>
    public List<Guid> InvoiceIds { get; set; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency token (PostgreSQL xmin).</summary>
    public uint Version { get; set; }

    /// <summary>Cheque: the number printed on it.</summary>
    public string? ChequeNumber { get; init; }

    /// <summary>Cheque: the bank it is drawn on.</summary>
    public string? DrawerBank { get; init; }

    /// <summary>Card: the last four digits (never the whole number).</summary>
    public string? CardLast4 { get; init; }

    /// <summary>Card: the acquirer's authorization code.</summary>
    public string? AuthorizationCode { get; init; }

    /// <summary>Alipay / WeChat Pay: the wallet's transaction id.</summary>
    public string? WalletTransactionId { get; init; }

    /// <summary>The payer's name as the bank or wallet reported it, protected (PII, <c>PiiProtector</c>).</summary>
    public string? PayerNameProtected { get; init; }

    /// <summary>The payer's bank or wallet account, protected (PII, <c>PiiProtector</c>).</summary>
    public string? PayerAccountProtected { get; init; }

    /// <summary>The virtual account number a transfer was paid into (kept also when nobody owns it: suspense).</summary>
    public string? VirtualAccountNumber { get; init; }

    /// <summary>Why a cheque bounced or a card or wallet attempt failed.</summary>
    public string? FailureReason { get; set; }

    /// <summary>
    /// How many times this payment's announcement was taken back (<c>PaymentReversed</c>). Every <c>PaymentReceived</c>
    /// carries it, so billing deposits each announcement once, keyed on (payment id, generation): a payment taken back to
    /// suspense and matched again is announced with the next generation and deposited again, while a redelivered or
    /// re-published older announcement meets its own, already applied, generation.
    /// </summary>
    public int Generation { get; set; }

    /// <summary>Refuses (FAILED_PRECONDITION) unless this is a cheque waiting to clear.</summary>
    public void EnsureClearable()
    {
        if (Method != PaymentMethod.Cheque || State != PaymentState.Pending)
        {
            throw new Platform.ServiceDefaults.Errors.PreconditionFailedException("PAYMENT_NOT_PENDING_CHEQUE", $"payments/{Id}",
                $"only a pending cheque can clear or bounce; this is a {Method.WireName()} payment in state {State}");
        }
    }

    /// <summary>
    /// The drawer's bank refused a cheque: it bounces, with the bank's reason. A pending cheque bounces before clearing; a
    /// received (cleared) one can still come back from the bank. Answers whether the money had been received (and
    /// announced), so that the caller takes the announcement back.
    /// </summary>
    public bool Bounce(string reason, DateTimeOffset now)
    {
        if (Method != PaymentMethod.Cheque || State is not (PaymentState.Pending or PaymentState.Received))
        {
            throw new Platform.ServiceDefaults.Errors.PreconditionFailedException("PAYMENT_NOT_PENDING_CHEQUE", $"payments/{Id}",
                $"only a pending or cleared cheque can bounce; this is a {Method.WireName()} payment in state {State}");
        }

        var wasReceived = State == PaymentState.Received;
        State = PaymentState.Bounced;
        FailureReason = reason;
        UpdatedAt = now;
        return wasReceived;
    }

    /// <summary>
    /// The payer of a received payment turned out not to be a customer who may pay: the payment goes back to suspense
    /// (unidentified, no payer, nothing named) for manual matching. Answers the payer the taken-back announcement named.
    /// </summary>
    public Guid ReturnToSuspense(DateTimeOffset now)
    {
        if (State != PaymentState.Received || CustomerId is not { } payer)
        {
            throw new InvalidOperationException($"Only a received payment with a payer goes back to suspense; this one is {State}.");
        }

        State = PaymentState.Unidentified;
        CustomerId = null;
        ContractId = null;
        InvoiceIds = [];
        UpdatedAt = now;
        return payer;
    }
}

public static class PaymentMethods
{
    /// <summary>Methods whose attempt can fail when it is made (the card or wallet declined); the others are money in hand or in the bank.</summary>
    public static bool CanFail(this PaymentMethod method) => method is PaymentMethod.Card or PaymentMethod.Alipay or PaymentMethod.WechatPay;

    /// <summary>The snake_case name used in events and on the wire.</summary>
    public static string WireName(this PaymentMethod method) => method switch
    {
        PaymentMethod.Cash => "cash",
        PaymentMethod.Cheque => "cheque",
        PaymentMethod.Card => "card",
        PaymentMethod.BankTransfer => "bank_transfer",
        PaymentMethod.Alipay => "alipay",
        PaymentMethod.WechatPay => "wechat_pay",
        PaymentMethod.VirtualAccount => "virtual_account",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };
}
