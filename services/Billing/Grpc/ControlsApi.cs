using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Controls = Platform.Billing.Domain.Controls;

namespace Platform.Billing.Grpc;

public sealed class HoldsApi(StagedRelease holds, IdempotentRequests<BillingDb> idempotent) : Holds.HoldsBase
{
    [Authorize(Roles = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Service}")]
    public override Task<Hold> HoldFunds(HoldFundsRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var contractId = check.RequireGuid(request.ContractId, "contract_id");
        check.RequireLength(request.Milestone, "milestone", 1, 100);
        var currency = MoneyValidation.CurrencyOf(request.Amount);
        var amount = check.RequirePositiveAmount(request.Amount, "amount", currency);
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await holds.HoldAsync(customerId, contractId, request.Milestone, amount, currency, context.CallerId(), ct), currency),
            context.CancellationToken);
    }

    [Authorize(Roles = Roles.FinanceApprover)]
    public override Task<Hold> ReleaseHold(ReleaseHoldRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var holdId = check.RequireGuid(request.HoldId, "hold_id");
        check.RequireLength(request.AcceptanceNote, "acceptance_note", 1, 500);
        decimal? amount = request.Amount is null ? null
            : check.RequirePositiveAmount(request.Amount, "amount", MoneyValidation.CurrencyOf(request.Amount));
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await holds.ReleaseAsync(holdId, amount, request.AcceptanceNote, context.CallerId(), ct)),
            context.CancellationToken);
    }

    [Authorize(Roles = $"{Roles.FinanceApprover},{Roles.Service}")]
    public override Task<Hold> CancelHold(CancelHoldRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var holdId = check.RequireGuid(request.HoldId, "hold_id");
        check.RequireLength(request.Reason, "reason", 1, 500);
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await holds.CancelAsync(holdId, request.Reason, context.CallerId(), ct)), context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Hold> GetHold(GetHoldRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var holdId = check.RequireGuid(request.HoldId, "hold_id");
        check.ThrowIfInvalid();
        return ToProto(await holds.GetAsync(holdId, context.CancellationToken));
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListHoldsResponse> ListHolds(ListHoldsRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var response = new ListHoldsResponse();
        response.Holds.AddRange((await holds.ListAsync(customerId, context.CancellationToken)).Select(h => ToProto(h)));
        return response;
    }

    private static Hold ToProto(Controls.Hold h, string currency = MoneyExtensions.DefaultCurrency)
    {
        var hold = new Hold
        {
            HoldId = h.Id.ToString(),
            CustomerId = h.CustomerId.ToString(),
            ContractId = h.ContractId.ToString(),
            Milestone = h.Milestone,
            State = (HoldState)h.State,
            Amount = h.Amount.ToMoney(currency),
            Released = h.Released.ToMoney(currency),
            Remaining = h.Remaining.ToMoney(currency),
            CreatedBy = h.CreatedBy,
            CreateTime = Timestamp.FromDateTimeOffset(h.CreatedAt),
        };
        hold.Releases.AddRange(h.Releases.OrderBy(r => r.Sequence).Select(r => new HoldRelease
        {
            Amount = r.Amount.ToMoney(currency),
            ApprovedBy = r.ApprovedBy,
            AcceptanceNote = r.Note,
            ReleaseTime = Timestamp.FromDateTimeOffset(r.ReleasedAt),
        }));
        return hold;
    }
}

public sealed class RefundsApi(RefundDesk refunds, IdempotentRequests<BillingDb> idempotent) : Refunds.RefundsBase
{
    [Authorize(Roles = $"{Roles.FinanceClerk},{Roles.FinanceApprover}")]
    public override Task<Refund> RequestRefund(RequestRefundRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var amount = check.RequirePositiveAmount(request.Amount, "amount", MoneyExtensions.DefaultCurrency);
        check.RequireLength(request.Reason, "reason", 1, 500);
        var paymentId = check.OptionalGuid(request.PaymentId, "payment_id");
        var contractId = check.OptionalGuid(request.ContractId, "contract_id");
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await refunds.RequestAsync(customerId, amount, request.Reason, paymentId, contractId, context.CallerId(), ct)), context.CancellationToken);
    }

    [Authorize(Roles = Roles.FinanceApprover)]
    public override Task<Refund> ApproveRefund(DecideRefundRequest request, ServerCallContext context) => Decide(request, approve: true, context);

    [Authorize(Roles = Roles.FinanceApprover)]
    public override Task<Refund> RejectRefund(DecideRefundRequest request, ServerCallContext context) => Decide(request, approve: false, context);

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Refund> GetRefund(GetRefundRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var refundId = check.RequireGuid(request.RefundId, "refund_id");
        check.ThrowIfInvalid();
        return ToProto(await refunds.GetAsync(refundId, context.CancellationToken));
    }

    private Task<Refund> Decide(DecideRefundRequest request, bool approve, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var refundId = check.RequireGuid(request.RefundId, "refund_id");
        check.RequireLength(request.Note, "note", approve ? 0 : 1, 500);
        check.ThrowIfInvalid();
        var note = request.Note.Length == 0 ? null : request.Note;
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await refunds.DecideAsync(refundId, approve, note, context.CallerId(), ct)), context.CancellationToken);
    }

    private static Refund ToProto(Controls.Refund r) => new()
    {
        RefundId = r.Id.ToString(),
        CustomerId = r.CustomerId.ToString(),
        State = (RefundState)r.State,
        Amount = r.Amount.ToMoney(MoneyExtensions.DefaultCurrency),
        Reason = r.Reason,
        RequestedBy = r.Approval.RequestedBy,
        RequestTime = Timestamp.FromDateTimeOffset(r.Approval.RequestedAt),
        DecidedBy = r.Approval.DecidedBy ?? "",
        DecideTime = r.Approval.DecidedAt is { } d ? Timestamp.FromDateTimeOffset(d) : null,
        DecisionNote = r.Approval.Note ?? "",
        PaidTime = r.PaidAt is { } p ? Timestamp.FromDateTimeOffset(p) : null,
        PaymentId = r.PaymentId?.ToString() ?? "",
        ContractId = r.ContractId?.ToString() ?? "",
    };
}

public sealed class AdjustmentsApi(AdjustmentDesk adjustments, IdempotentRequests<BillingDb> idempotent) : Adjustments.AdjustmentsBase
{
    [Authorize(Roles = $"{Roles.FinanceClerk},{Roles.FinanceApprover}")]
    public override Task<Adjustment> RequestAdjustment(RequestAdjustmentRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var (legs, _) = LedgerMapping.Legs(check, request.Legs);
        check.RequireLength(request.Reason, "reason", 1, 500);
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await adjustments.RequestAsync(customerId, legs, request.Reason, context.CallerId(), ct)), context.CancellationToken);
    }

    [Authorize(Roles = Roles.FinanceApprover)]
    public override Task<Adjustment> ApproveAdjustment(DecideAdjustmentRequest request, ServerCallContext context) => Decide(request, true, context);

    [Authorize(Roles = Roles.FinanceApprover)]
    public override Task<Adjustment> RejectAdjustment(DecideAdjustmentRequest request, ServerCallContext context) => Decide(request, false, context);

    private Task<Adjustment> Decide(DecideAdjustmentRequest request, bool approve, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var adjustmentId = check.RequireGuid(request.AdjustmentId, "adjustment_id");
        check.RequireLength(request.Note, "note", approve ? 0 : 1, 500);
        check.ThrowIfInvalid();
        var note = request.Note.Length == 0 ? null : request.Note;
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await adjustments.DecideAsync(adjustmentId, approve, note, context.CallerId(), ct)), context.CancellationToken);
    }

    private static Adjustment ToProto(Controls.Adjustment a)
    {
        var proto = new Adjustment
        {
            AdjustmentId = a.Id.ToString(),
            CustomerId = a.CustomerId.ToString(),
            State = (AdjustmentState)a.State,
            Reason = a.Reason,
            RequestedBy = a.Approval.RequestedBy,
            RequestTime = Timestamp.FromDateTimeOffset(a.Approval.RequestedAt),
            DecidedBy = a.Approval.DecidedBy ?? "",
            DecideTime = a.Approval.DecidedAt is { } d ? Timestamp.FromDateTimeOffset(d) : null,
            DecisionNote = a.Approval.Note ?? "",
            TransferId = a.State == Controls.AdjustmentState.Applied ? a.TransferId.ToString() : "",
        };
        proto.Legs.AddRange(AdjustmentDesk.LegsOf(a).Select(l => LedgerMapping.ToProto(l, MoneyExtensions.DefaultCurrency)));
        return proto;
    }
}
