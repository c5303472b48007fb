using Platform.ServiceDefaults.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Data;
using Platform.Customer.Engagement.Application;
using Platform.Customer.Grpc;
using Platform.ServiceDefaults.Errors;
using CustomerDomain = Platform.Customer.Domain;

namespace Platform.Customer.Engagement.Grpc;

public sealed class GradingApi(IntentGrading grading, ValueTierGrader tiers, IdempotentRequests<CustomerDb> idempotent) : Grading.GradingBase
{
    [Authorize(Roles = EngagementMapping.Sales)]
    public override Task<IntentGradeChange> SetIntentGrade(SetIntentGradeRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireRequestId(request.RequestId);
        var id = check.RequireGuid(request.CustomerId, "customer_id");
        check.Require(request.IntentGrade is IntentGrade.A or IntentGrade.B or IntentGrade.C, "intent_grade", "must be A, B or C");
        check.RequireLength(request.Reason?.Trim(), "reason", 1, 500);
        check.ThrowIfInvalid();
        var by = context.CallerId();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => (await grading.SetAsync(id, (CustomerDomain.IntentGrade)(int)request.IntentGrade, request.Reason!.Trim(), by, ct)).ToProto(),
            _ => [CustomersApi.CustomerSubject(id)], context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListIntentGradeHistoryResponse> ListIntentGradeHistory(ListIntentGradeHistoryRequest request, ServerCallContext context)
    {
        var id = RequireCustomer(request.CustomerId);
        var response = new ListIntentGradeHistoryResponse();
        response.Changes.AddRange((await grading.HistoryAsync(id, context.CancellationToken)).Select(r => r.ToProto()));
        return response;
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ValueTierStanding> GetValueTier(GetValueTierRequest request, ServerCallContext context)
    {
        var id = RequireCustomer(request.CustomerId);
        var customer = await grading.RequireCustomerAsync(id, context.CancellationToken);
        var basis = await tiers.BasisAsync(id, context.CancellationToken);
        return new ValueTierStanding
        {
            CustomerId = id.ToString(),
            ValueTier = (ValueTier)(int)customer.ValueTier,
            PaidAmount = basis.PaidAmount.ToMoney(MoneyExtensions.DefaultCurrency),
            Purchases = basis.Purchases,
        };
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListLifecycleHistoryResponse> ListLifecycleHistory(ListLifecycleHistoryRequest request, ServerCallContext context)
    {
        var id = RequireCustomer(request.CustomerId);
        var (customer, changes, lastActivity) = await grading.LifecycleAsync(id, context.CancellationToken);
        var response = new ListLifecycleHistoryResponse
        {
            CustomerId = id.ToString(),
            LifecycleStage = (LifecycleStage)(int)customer.Stage,
            LastActivityTime = lastActivity.ToTimestamp(),
        };
        response.Changes.AddRange(changes.Select(c => new LifecycleChange
        {
            From = (LifecycleStage)(int)c.From,
            To = (LifecycleStage)(int)c.To,
            Reason = c.Reason,
            ChangeTime = c.OccurredAt.ToTimestamp(),
        }));
        return response;
    }

    private static Guid RequireCustomer(string customerId)
    {
        var check = new Validator();
        var id = check.RequireGuid(customerId, "customer_id");
        check.ThrowIfInvalid();
        return id;
    }
}
