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
}

public static class PaymentMethods
{
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
