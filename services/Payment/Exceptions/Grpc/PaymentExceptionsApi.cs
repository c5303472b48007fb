using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Checks.Application;
using Platform.Payment.Data;
using Platform.Payment.Exceptions.Application;
using Platform.Payment.Recording.Grpc;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Domain = Platform.Payment.Exceptions.Domain;

namespace Platform.Payment.Exceptions.Grpc;

public sealed class PaymentExceptionsApi(ExceptionDesk desk, PaymentMapping map, IdempotentRequests<PaymentDb> idempotent, PayerCheck payers,
    InvoiceCheck invoices, TimeProvider clock)
    : PaymentExceptions.PaymentExceptionsBase
{
    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListWorkItemsResponse> ListWorkItems(ListWorkItemsRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var kind = FromProto(request.Kind);
        check.Require(request.Kind == WorkItemKind.Unspecified || kind is not null, "kind", "is not a work item kind");
        check.Require(request.Status is >= WorkItemStatus.Unspecified and <= WorkItemStatus.Resolved, "status", "is not a work item status");
        var owner = check.Optional(request.Owner, "owner", 128);
        var pageSize = check.PageSize(request.PageSize);
        WorkItemCursor? after = null;
        if (request.PageToken.Length > 0)
        {
            after = WorkItemCursor.Parse(request.PageToken);
            check.Require(after is not null, "page_token", "is not a token this list gave");
        }

        check.ThrowIfInvalid();
        bool? open = request.Status switch
        {
            WorkItemStatus.Open => true,
            WorkItemStatus.Resolved => false,
            _ => null,
        };
        var (page, next) = await desk.ListAsync(new WorkItemFilter(kind, owner, open), pageSize, after, context.CancellationToken);
        var answer = new ListWorkItemsResponse { NextPageToken = next?.ToString() ?? "" };
        answer.WorkItems.AddRange(page.Select(ToProto));
        return answer;
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<WorkItem> GetWorkItem(GetWorkItemRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.WorkItemId, "work_item_id");
        check.ThrowIfInvalid();
        return ToProto(await desk.GetAsync(id, context.CancellationToken));
    }

    [Authorize(Roles = PaymentMapping.Recorders)]
    public override async Task<WorkItem> AssignWorkItem(AssignWorkItemRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.WorkItemId, "work_item_id");
        var owner = check.Required(request.Owner, "owner", 128);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await desk.AssignAsync(id, owner, context.CallerId(), ct)), context.CancellationToken);
    }

    [Authorize(Roles = PaymentMapping.Recorders)]
    public override async Task<WorkItem> ResolveWorkItem(ResolveWorkItemRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.WorkItemId, "work_item_id");
        var note = check.Required(request.ResolutionNote, "resolution_note", 500);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await desk.ResolveAsync(id, note, context.CallerId(), ct)), context.CancellationToken);
    }

    [Authorize(Roles = PaymentMapping.Recorders)]
    public override async Task<Contracts.Payment.V1.Payment> MatchPayment(MatchPaymentRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var paymentId = check.RequireGuid(request.PaymentId, "payment_id");
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var invoiceIds = check.InvoiceIds(request.InvoiceIds);
        var note = check.Optional(request.Note, "note", 500);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct =>
            {
                // The money stays in suspense until the payer checks out.
                await payers.EnsureAsync(customerId, "customer_id", ct);
                await invoices.EnsureAsync(customerId, invoiceIds, "invoice_ids", ct);
                return map.ToProto(await desk.MatchAsync(paymentId, customerId, invoiceIds, note, context.CallerId(), ct), context);
            }, context.CancellationToken);
    }

    private static Domain.WorkItemKind? FromProto(WorkItemKind kind) =>
        kind is > WorkItemKind.Unspecified and <= WorkItemKind.UnverifiedPayer ? (Domain.WorkItemKind)(int)kind : null;

    private WorkItem ToProto(Domain.WorkItem w) => new()
    {
        WorkItemId = w.Id.ToString(),
        Kind = (WorkItemKind)(int)w.Kind,
        Status = w.IsOpen ? WorkItemStatus.Open : WorkItemStatus.Resolved,
        PaymentId = w.PaymentId.ToString(),
        CustomerId = w.CustomerId?.ToString() ?? "",
        InvoiceId = w.InvoiceId?.ToString() ?? "",
        Amount = w.Amount.ToMoney(w.Currency),
        Owner = w.Owner ?? "",
        CreateTime = PaymentMapping.Ts(w.CreatedAt),
        Age = Duration.FromTimeSpan(w.AgeAt(clock.GetUtcNow())),
        ResolveTime = PaymentMapping.Ts(w.ResolvedAt),
        ResolvedBy = w.ResolvedBy ?? "",
        ResolutionNote = w.ResolutionNote ?? "",
        Summary = w.Summary,
    };
}
