using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Checks.Application;
using Platform.Payment.Data;
using Platform.Payment.Online.Application;
using Platform.Payment.Recording.Grpc;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Domain = Platform.Payment.Online.Domain;
using PaymentMethod = Platform.Payment.Domain.PaymentMethod;

namespace Platform.Payment.Online.Grpc;

public sealed class PaymentIntentsApi(IntentDesk desk, IdempotentRequests<PaymentDb> idempotent, PayerCheck payers, InvoiceCheck invoices,
    ContractCheck contracts) : PaymentIntents.PaymentIntentsBase
{
    public const string Writers = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Administrator},{Roles.Service}";

    [Authorize(Roles = Writers)]
    public override async Task<PaymentIntent> CreatePaymentIntent(CreatePaymentIntentRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireLength(request.RequestId, "request_id", 1, 128);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var amount = check.RequirePositiveAmount(request.Amount, "amount", MoneyExtensions.DefaultCurrency);
        check.Require(request.Method is WalletMethod.Alipay or WalletMethod.WechatPay, "method", "must be alipay or wechat_pay");
        var (contractId, invoiceIds) = check.PaymentTarget(request.ContractId, request.InvoiceIds); // as RecordPayment: the paid intent is recorded with these
        check.RequireLength(request.Description, "description", 0, 128);
        check.ThrowIfInvalid();
        var method = request.Method == WalletMethod.Alipay ? PaymentMethod.Alipay : PaymentMethod.WechatPay;
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            await payers.EnsureAsync(customerId, "customer_id", ct);
            await invoices.EnsureAsync(customerId, invoiceIds, "invoice_ids", ct);
            await contracts.EnsureAsync(customerId, contractId, "contract_id", ct);
            return ToProto(await desk.CreateAsync(
                new IntentRequest(customerId, amount, MoneyExtensions.DefaultCurrency, method, contractId, invoiceIds,
                    request.Description.Length == 0 ? null : request.Description), context.CallerId(), ct));
        }, context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<PaymentIntent> GetPaymentIntent(GetPaymentIntentRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.PaymentIntentId, "payment_intent_id");
        check.ThrowIfInvalid();
        return ToProto(await desk.GetAsync(id, context.CancellationToken));
    }

    [Authorize(Roles = Writers)]
    public override async Task<PaymentIntent> CancelPaymentIntent(CancelPaymentIntentRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireLength(request.RequestId, "request_id", 1, 128);
        var id = check.RequireGuid(request.PaymentIntentId, "payment_intent_id");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await desk.CancelAsync(id, context.CallerId(), ct)), context.CancellationToken);
    }

    public static PaymentIntent ToProto(Domain.PaymentIntent intent)
    {
        var proto = new PaymentIntent
        {
            PaymentIntentId = intent.Id.ToString(),
            CustomerId = intent.CustomerId.ToString(),
            Amount = intent.Amount.ToMoney(intent.Currency),
            Method = intent.Method == PaymentMethod.Alipay ? WalletMethod.Alipay : WalletMethod.WechatPay,
            State = intent.State switch
            {
                Domain.IntentState.Created => PaymentIntentState.Created,
                Domain.IntentState.Pending => PaymentIntentState.Pending,
                Domain.IntentState.Succeeded => PaymentIntentState.Succeeded,
                Domain.IntentState.Failed => PaymentIntentState.Failed,
                Domain.IntentState.Expired => PaymentIntentState.Expired,
                Domain.IntentState.Cancelled => PaymentIntentState.Cancelled,
                _ => PaymentIntentState.Unspecified,
            },
            Provider = intent.Provider,
            ProviderReference = intent.ProviderReference ?? "",
            QrCodeContent = intent.QrCodeContent ?? "",
            ContractId = intent.ContractId?.ToString() ?? "",
            PaymentId = intent.PaymentId?.ToString() ?? "",
            FailureReason = intent.FailureReason ?? "",
            CreateTime = Timestamp.FromDateTimeOffset(intent.CreatedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(intent.UpdatedAt),
            ExpireTime = Timestamp.FromDateTimeOffset(intent.ExpiresAt),
        };
        proto.InvoiceIds.AddRange(intent.InvoiceIds.Select(i => i.ToString()));
        return proto;
    }
}
