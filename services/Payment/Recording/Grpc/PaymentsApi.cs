using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.Payment.Recording.Application;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Recording.Grpc;

public sealed class PaymentsApi(PaymentDesk desk, PaymentMapping map, IdempotentRequests<PaymentDb> idempotent,
    IOptions<RecordingOptions> options, TimeProvider clock) : Payments.PaymentsBase
{
    [Authorize(Roles = PaymentMapping.Recorders)]
    public override async Task<Contracts.Payment.V1.Payment> RecordPayment(RecordPaymentRequest request, ServerCallContext context)
    {
        var payment = RecordPaymentValidation.Read(request, context.CallerId(), clock.GetUtcNow(), options.Value);
        return await idempotent.ExecuteStagedAsync(request.RequestId, request,
            async ct => map.ToProto(await desk.StageAsync(payment, context.CallerId(), ct), context), context.CancellationToken);
    }

    [Authorize(Roles = PaymentMapping.Recorders)]
    public override async Task<Contracts.Payment.V1.Payment> ClearCheque(ClearChequeRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.PaymentId, "payment_id");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await desk.ClearChequeAsync(id, context.CallerId(), ct), context), context.CancellationToken);
    }

    [Authorize(Roles = PaymentMapping.Recorders)]
    public override async Task<Contracts.Payment.V1.Payment> BounceCheque(BounceChequeRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.PaymentId, "payment_id");
        var reason = check.Required(request.Reason, "reason", 500);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await desk.BounceChequeAsync(id, reason, context.CallerId(), ct), context), context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Contracts.Payment.V1.Payment> GetPayment(GetPaymentRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.PaymentId, "payment_id");
        check.ThrowIfInvalid();
        return map.ToProto(await desk.GetAsync(id, context.CancellationToken), context);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListPaymentsResponse> ListPayments(ListPaymentsRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.OptionalGuid(request.CustomerId, "customer_id");
        var state = PaymentMapping.FromProto(request.State);
        check.Require(request.State == PaymentState.Unspecified || state is not null, "state", "is not a payment state");
        var method = PaymentMapping.FromProto(request.Method);
        check.Require(request.Method == PaymentMethod.Unspecified || method is not null, "method", "is not a payment method");
        var pageSize = check.PageSize(request.PageSize);
        var after = check.OptionalGuid(request.PageToken, "page_token");
        check.ThrowIfInvalid();
        var (page, next) = await desk.ListAsync(new PaymentFilter(customerId, state, method), pageSize, after, context.CancellationToken);
        var answer = new ListPaymentsResponse { NextPageToken = next?.ToString() ?? "" };
        answer.Payments.AddRange(page.Select(p => map.ToProto(p, context)));
        return answer;
    }
}
