using Platform.ServiceDefaults.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Data;
using Platform.Customer.Engagement.Application;
using Platform.Customer.Grpc;
using Platform.ServiceDefaults.Errors;
using EngagementDomain = Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Grpc;

public sealed class PipelineApi(PipelineBook book, IdempotentRequests<CustomerDb> idempotent) : Pipeline.PipelineBase
{
    [Authorize(Roles = EngagementMapping.Sales)]
    public override Task<Opportunity> OpenOpportunity(OpenOpportunityRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireRequestId(request.RequestId);
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        var owner = check.RequireGuid(request.OwnerId, "owner_id");
        check.RequireLength(request.Title?.Trim(), "title", 1, 200);
        var (amount, currency) = check.RequireMoney(request.Amount, "amount", required: true);
        check.Require(request.Probability is >= 0 and <= 100, "probability", "must be 0-100");
        var expectedClose = check.OptionalTime(request.ExpectedCloseTime, "expected_close_time");
        check.ThrowIfInvalid();
        var opening = new NewOpportunity(customer, owner, request.Title!.Trim(), amount, currency, expectedClose,
            request.Probability == 0 ? null : request.Probability);
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => (await book.OpenAsync(opening, ct)).ToProto([]), _ => [CustomersApi.CustomerSubject(customer)], context.CancellationToken);
    }

    [Authorize(Roles = EngagementMapping.Sales)]
    public override Task<Opportunity> MoveOpportunity(MoveOpportunityRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireRequestId(request.RequestId);
        var id = check.RequireGuid(request.OpportunityId, "opportunity_id");
        check.Require(request.ToStage != OpportunityStage.Unspecified && Enum.IsDefined(request.ToStage), "to_stage", "is not a stage");
        if (request.ToStage == OpportunityStage.Lost)
        {
            check.RequireLength(request.LostReason?.Trim(), "lost_reason", 1, 500);
        }
        else
        {
            check.Require(string.IsNullOrEmpty(request.LostReason), "lost_reason", "is only for a move to LOST");
        }

        check.Require(request.Probability is >= 0 and <= 100, "probability", "must be 0-100");
        decimal? amount = request.Amount is null ? null : check.RequireMoney(request.Amount, "amount", required: false).Amount;
        var expectedClose = check.OptionalTime(request.ExpectedCloseTime, "expected_close_time");
        check.ThrowIfInvalid();
        var move = new OpportunityMove((EngagementDomain.OpportunityStage)(int)request.ToStage, request.LostReason?.Trim(),
            request.Probability == 0 ? null : request.Probability, amount, expectedClose);
        var by = context.CallerId();
        return idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            var moved = await book.MoveAsync(id, move, by, ct);
            var history = await book.HistoryAsync([id], ct);
            return moved.ToProto(history.TryGetValue(id, out var h) ? h : []);
        }, r => [CustomersApi.CustomerSubject(Guid.Parse(r.CustomerId))], context.CancellationToken);
    }

    [Authorize(Roles = EngagementMapping.Sales)]
    public override async Task<Opportunity> GetOpportunity(GetOpportunityRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.OpportunityId, "opportunity_id");
        check.ThrowIfInvalid();
        var (opportunity, history) = await book.GetAsync(id, context.CancellationToken);
        return opportunity.ToProto(history);
    }

    [Authorize(Roles = EngagementMapping.Sales)]
    public override async Task<ListOpportunitiesResponse> ListOpportunities(ListOpportunitiesRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.Require(request.Stage == OpportunityStage.Unspecified || Enum.IsDefined(request.Stage), "stage", "is not a stage");
        var owner = check.OptionalGuid(request.OwnerId, "owner_id");
        var size = PageToken.Size(request.PageSize, check);
        var after = PageToken.Decode(request.PageToken, check);
        check.ThrowIfInvalid();
        var stage = request.Stage == OpportunityStage.Unspecified ? (EngagementDomain.OpportunityStage?)null : (EngagementDomain.OpportunityStage)(int)request.Stage;
        var page = await book.ListAsync(stage, owner, after?.Id, size, context.CancellationToken);
        var shown = page.Take(size).ToList();
        var history = await book.HistoryAsync(shown.Select(o => o.Id).ToList(), context.CancellationToken);
        var response = new ListOpportunitiesResponse();
        response.Opportunities.AddRange(shown.Select(o => o.ToProto(history.TryGetValue(o.Id, out var h) ? h : [])));
        if (page.Count > size)
        {
            response.NextPageToken = PageToken.Encode(shown[^1].Id);
        }

        return response;
    }
}
