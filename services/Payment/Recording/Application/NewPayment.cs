using Platform.Payment.Domain;

namespace Platform.Payment.Recording.Application;

/// <summary>A payment as a person records it, already validated.</summary>
public sealed record NewPayment(
    Guid CustomerId,
    PaymentMethod Method,
    decimal Amount,
    string? Reference,
    string Collector,
    DateTimeOffset ReceivedAt,
    Guid? ContractId,
    IReadOnlyList<Guid> InvoiceIds,
    PaymentDetails Details,
    string? FailureReason);

/// <summary>What the method adds: cheque number and drawer bank, card digits and authorization, payer, wallet transaction.</summary>
public sealed record PaymentDetails(
    string? ChequeNumber = null,
    string? DrawerBank = null,
    string? CardLast4 = null,
    string? AuthorizationCode = null,
    string? PayerName = null,
    string? PayerAccount = null,
    string? WalletTransactionId = null);

/// <summary>The filters of a payment list.</summary>
public sealed record PaymentFilter(Guid? CustomerId, PaymentState? State, PaymentMethod? Method);
