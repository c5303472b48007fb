using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.BuildingBlocks.Privacy;
using Platform.Payment.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Proto = Platform.Contracts.Payment.V1;

namespace Platform.Payment.Recording.Grpc;

/// <summary>Proto ⇄ domain mapping of payments, shared by the payment, virtual account and exception endpoints.</summary>
public sealed class PaymentMapping(PiiProtector pii)
{
    /// <summary>Who may record, clear, bounce and match payments.</summary>
    public const string Recorders = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Administrator}";

    public static Timestamp? Ts(DateTimeOffset? at) => at is { } t ? Timestamp.FromDateTimeOffset(t) : null;

    public static Proto.PaymentMethod ToProto(PaymentMethod method) => (Proto.PaymentMethod)((int)method + 1);

    public static Proto.PaymentState ToProto(PaymentState state) => (Proto.PaymentState)((int)state + 1);

    /// <summary>The domain method of a wire method; null for UNSPECIFIED or an unknown number.</summary>
    public static PaymentMethod? FromProto(Proto.PaymentMethod method) =>
        method is > Proto.PaymentMethod.Unspecified and <= Proto.PaymentMethod.VirtualAccount ? (PaymentMethod)((int)method - 1) : null;

    public static PaymentState? FromProto(Proto.PaymentState state) =>
        state is > Proto.PaymentState.Unspecified and <= Proto.PaymentState.Unidentified ? (PaymentState)((int)state - 1) : null;

    /// <summary>The payer's account, masked to its last four characters unless the caller may read PII.</summary>
    public Proto.Payment ToProto(Domain.Payment p, ServerCallContext context)
    {
        var answer = new Proto.Payment
        {
            PaymentId = p.Id.ToString(),
            CustomerId = p.CustomerId?.ToString() ?? "",
            Method = ToProto(p.Method),
            State = ToProto(p.State),
            Amount = p.Amount.ToMoney(p.Currency),
            Reference = p.Reference ?? "",
            Collector = p.Collector ?? "",
            ReceiveTime = Ts(p.ReceivedAt),
            ContractId = p.ContractId?.ToString() ?? "",
            VirtualAccountNumber = p.VirtualAccountNumber ?? "",
            FailureReason = p.FailureReason ?? "",
            CreateTime = Ts(p.CreatedAt),
            UpdateTime = Ts(p.UpdatedAt),
        };
        answer.InvoiceIds.AddRange(p.InvoiceIds.Select(i => i.ToString()));
        if (p.ChequeNumber is not null || p.DrawerBank is not null)
        {
            answer.Cheque = new Proto.ChequeDetails { ChequeNumber = p.ChequeNumber ?? "", DrawerBank = p.DrawerBank ?? "" };
        }

        if (p.CardLast4 is not null)
        {
            answer.Card = new Proto.CardDetails { Last4 = p.CardLast4, AuthorizationCode = p.AuthorizationCode ?? "" };
        }

        var readsPii = context.GetHttpContext().User.IsInRole(Roles.PiiReader);
        var payerAccount = Reveal(p.PayerAccountProtected, readsPii);
        if (p.WalletTransactionId is not null)
        {
            answer.Wallet = new Proto.WalletDetails { TransactionId = p.WalletTransactionId, PayerAccount = payerAccount };
        }
        else if (p.PayerAccountProtected is not null || p.PayerNameProtected is not null)
        {
            answer.Transfer = new Proto.TransferDetails { PayerName = Reveal(p.PayerNameProtected, readsPii, name: true), PayerAccount = payerAccount };
        }

        return answer;
    }

    private string Reveal(string? protectedValue, bool readsPii, bool name = false)
    {
        if (protectedValue is null)
        {
            return "";
        }

        var plain = pii.Unprotect(protectedValue);
        if (readsPii)
        {
            return plain;
        }

        return name ? (plain.Length == 0 ? "" : plain[0] + "**") : plain.Length <= 4 ? "****" : new string('*', plain.Length - 4) + plain[^4..];
    }
}

/// <summary>Input checks every payment endpoint shares.</summary>
public static class PaymentValidation
{
    public static void RequestId(this Validator check, string requestId) => check.RequireLength(requestId, "request_id", 1, 128);

    /// <summary>An optional text field: trimmed, null when empty, at most <paramref name="max"/> characters.</summary>
    public static string? Optional(this Validator check, string? value, string field, int max)
    {
        var trimmed = value?.Trim();
        check.RequireLength(trimmed, field, 0, max);
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    /// <summary>A required text field: trimmed, 1 to <paramref name="max"/> characters.</summary>
    public static string Required(this Validator check, string? value, string field, int max)
    {
        var trimmed = value?.Trim() ?? "";
        check.RequireLength(trimmed, field, 1, max);
        return trimmed;
    }

    /// <summary>Invoice ids: UUIDs, each once; violations name the element (<c>invoice_ids[2]</c>).</summary>
    /// <summary>
    /// What a payment pays: a contract's prepaid deposit (<c>contract_id</c>) or invoices (<c>invoice_ids</c>), not both;
    /// neither is a deposit for the customer.
    /// </summary>
    public static (Guid? ContractId, IReadOnlyList<Guid> InvoiceIds) PaymentTarget(this Validator check, string contractId, IList<string> invoiceIds)
    {
        var contract = check.OptionalGuid(contractId, "contract_id");
        var invoices = check.InvoiceIds(invoiceIds);
        check.Require(contract is null || invoices.Count == 0, "invoice_ids", "give either contract_id (a prepaid deposit) or invoice_ids, not both");
        return (contract, invoices);
    }

    public static IReadOnlyList<Guid> InvoiceIds(this Validator check, IList<string> values, string field = "invoice_ids")
    {
        var ids = new List<Guid>();
        for (var i = 0; i < values.Count; i++)
        {
            var id = check.RequireGuid(values[i], $"{field}[{i}]");
            check.Require(id == Guid.Empty || !ids.Contains(id), $"{field}[{i}]", "is listed twice");
            ids.Add(id);
        }

        check.Require(values.Count <= 100, field, "at most 100 invoices");
        return ids;
    }

    /// <summary>A time that has happened (allowing for clock skew); violations name <paramref name="field"/>.</summary>
    public static DateTimeOffset? PastTime(this Validator check, Timestamp? value, string field, DateTimeOffset now, TimeSpan skew, bool required)
    {
        if (value is null)
        {
            check.Require(!required, field, "is required");
            return null;
        }

        var at = check.OptionalTime(value, field);
        check.Require(at is null || at <= now + skew, field, "must not be in the future");
        return at;
    }

    /// <summary>Page size 0-500 (0 means 50).</summary>
    public static int PageSize(this Validator check, int pageSize)
    {
        check.Require(pageSize is >= 0 and <= 500, "page_size", "must be 0-500");
        return pageSize == 0 ? 50 : pageSize;
    }
}
