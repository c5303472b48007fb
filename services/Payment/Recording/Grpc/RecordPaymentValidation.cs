using Platform.BuildingBlocks.Money;
using Platform.Payment.Domain;
using Platform.Payment.Recording.Application;
using Platform.ServiceDefaults.Errors;
using Proto = Platform.Contracts.Payment.V1;

namespace Platform.Payment.Recording.Grpc;

/// <summary>
/// Reads a RecordPayment request into a <see cref="NewPayment"/>, naming every bad field at once: each method needs its
/// own details (and no other method's), an allocation is to a contract's deposit or to invoices, never both.
/// </summary>
public static class RecordPaymentValidation
{
    public static NewPayment Read(Proto.RecordPaymentRequest r, string caller, DateTimeOffset now, RecordingOptions options)
    {
        var check = new Validator();
        check.RequestId(r.RequestId);
        var customerId = check.RequireGuid(r.CustomerId, "customer_id");
        var method = PaymentMapping.FromProto(r.Method);
        check.Require(method is not null, "method", "is required");
        var amount = check.RequirePositiveAmount(r.Amount, "amount", options.Currency);
        var reference = check.Optional(r.Reference, "reference", 128);
        var collector = check.Optional(r.Collector, "collector", 128) ?? caller;
        var receivedAt = check.PastTime(r.ReceiveTime, "receive_time", now, options.MaxClockSkew, required: false) ?? now;
        var (contractId, invoiceIds) = check.PaymentTarget(r.ContractId, r.InvoiceIds);

        string? failureReason = null;
        if (r.FailureReason.Length > 0)
        {
            failureReason = check.Required(r.FailureReason, "failure_reason", 500);
            check.Require(method is null || method.Value.CanFail(), "failure_reason", "only a card or wallet attempt can fail");
        }

        var details = method is { } m ? Details(check, r, m, failed: failureReason is not null) : new PaymentDetails();
        check.ThrowIfInvalid();
        return new NewPayment(customerId, method!.Value, amount, reference, collector, receivedAt, contractId, invoiceIds, details, failureReason);
    }

    private static PaymentDetails Details(Validator check, Proto.RecordPaymentRequest r, PaymentMethod method, bool failed)
    {
        var wanted = method switch
        {
            PaymentMethod.Cheque => "cheque",
            PaymentMethod.Card => "card",
            PaymentMethod.BankTransfer or PaymentMethod.VirtualAccount => "transfer",
            PaymentMethod.Alipay or PaymentMethod.WechatPay => "wallet",
            _ => null,
        };
        foreach (var (field, present) in new[] { ("cheque", r.Cheque is not null), ("card", r.Card is not null), ("transfer", r.Transfer is not null), ("wallet", r.Wallet is not null) })
        {
            check.Require(!present || field == wanted, field, $"does not apply to a {method.WireName()} payment");
            check.Require(present || field != wanted, field, $"is required for a {method.WireName()} payment");
        }

        return wanted switch
        {
            "cheque" when r.Cheque is { } c => new PaymentDetails(
                ChequeNumber: check.Required(c.ChequeNumber, "cheque.cheque_number", 32),
                DrawerBank: check.Required(c.DrawerBank, "cheque.drawer_bank", 100)),
            "card" when r.Card is { } c => Card(check, c, failed),
            "transfer" when r.Transfer is { } t => new PaymentDetails(
                PayerName: check.Optional(t.PayerName, "transfer.payer_name", 100),
                PayerAccount: check.Required(t.PayerAccount, "transfer.payer_account", 64)),
            "wallet" when r.Wallet is { } w => new PaymentDetails(
                WalletTransactionId: check.Required(w.TransactionId, "wallet.transaction_id", 64),
                PayerAccount: check.Optional(w.PayerAccount, "wallet.payer_account", 64)),
            _ => new PaymentDetails(),
        };
    }

    private static PaymentDetails Card(Validator check, Proto.CardDetails card, bool failed)
    {
        check.Require(card.Last4.Length == 4 && card.Last4.All(char.IsAsciiDigit), "card.last_4", "must be exactly 4 digits");

        // A declined card has no authorization; an accepted one always has.
        var authorization = failed
            ? check.Optional(card.AuthorizationCode, "card.authorization_code", 32)
            : check.Required(card.AuthorizationCode, "card.authorization_code", 32);
        return new PaymentDetails(CardLast4: card.Last4, AuthorizationCode: authorization);
    }
}
