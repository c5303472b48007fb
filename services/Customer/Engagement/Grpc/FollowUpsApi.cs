using Platform.ServiceDefaults.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Data;
using Platform.Customer.Engagement.Application;
using Platform.Customer.Grpc;
using Platform.ServiceDefaults.Errors;
using CustomerDomain = Platform.Customer.Domain;
using EngagementDomain = Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Grpc;

public sealed class FollowUpsApi(FollowUpPlanner planner, IdempotentRequests<CustomerDb> idempotent) : FollowUps.FollowUpsBase
{
    [Authorize(Roles = EngagementMapping.Sales)]
    public override async Task<ListCadencePoliciesResponse> ListCadencePolicies(ListCadencePoliciesRequest request, ServerCallContext context)
    {
        var response = new ListCadencePoliciesResponse();
        response.Policies.AddRange((await planner.PoliciesAsync(context.CancellationToken)).Select(p => p.ToProto()));
        return response;
    }

    [Authorize(Roles = EngagementMapping.Managers)]
    public override Task<CadencePolicy> UpdateCadencePolicy(UpdateCadencePolicyRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireRequestId(request.RequestId);
        check.Require(request.IntentGrade is IntentGrade.A or IntentGrade.B or IntentGrade.C, "intent_grade", "must be A, B or C");
        check.Require(request.IntervalDays is >= 1 and <= EngagementDomain.Cadence.MaxIntervalDays, "interval_days", $"must be 1-{EngagementDomain.Cadence.MaxIntervalDays}");
        check.Require(request.Channels.Count > 0, "channels", "needs at least one channel");
        for (var i = 0; i < request.Channels.Count; i++)
        {
            check.Require(request.Channels[i] != InteractionKind.Unspecified && Enum.IsDefined(request.Channels[i]), $"channels[{i}]", "is not a channel");
        }

        check.Require(request.Channels.Distinct().Count() == request.Channels.Count, "channels", "must not repeat a channel");
        check.RequireLength(request.Description, "description", 0, 500);
        check.ThrowIfInvalid();
        var channels = request.Channels.Select(c => (EngagementDomain.InteractionKind)(int)c).ToList();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => (await planner.UpdatePolicyAsync((CustomerDomain.IntentGrade)(int)request.IntentGrade, request.IntervalDays, channels, request.Description, ct)).ToProto(),
            context.CancellationToken);
    }

    [Authorize(Roles = EngagementMapping.Sales)]
    public override async Task<ListFollowUpTasksResponse> ListFollowUpTasks(ListFollowUpTasksRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var owner = check.OptionalGuid(request.OwnerId, "owner_id");
        var customer = check.OptionalGuid(request.CustomerId, "customer_id");
        check.Require(owner is not null || customer is not null, "owner_id", "owner_id or customer_id is required");
        check.Require(request.State == FollowUpTaskState.Unspecified || Enum.IsDefined(request.State), "state", "is not a task state");
        var size = PageToken.Size(request.PageSize, check);
        var after = PageToken.Decode(request.PageToken, check);
        var dueBefore = check.OptionalTime(request.DueBefore, "due_before");
        check.ThrowIfInvalid();
        var filter = new TaskFilter(owner, customer,
            request.State == FollowUpTaskState.Unspecified ? null : (EngagementDomain.FollowUpTaskState)(int)request.State,
            dueBefore);
        var tasks = await planner.ListAsync(filter, after, size, context.CancellationToken);
        var response = new ListFollowUpTasksResponse();
        response.Tasks.AddRange(tasks.Take(size).Select(t => t.ToProto()));
        if (tasks.Count > size)
        {
            var last = tasks[size - 1];
            response.NextPageToken = PageToken.Encode(last.DueAt, last.Id);
        }

        return response;
    }

    [Authorize(Roles = EngagementMapping.Sales)]
    public override Task<CompleteFollowUpTaskResponse> CompleteFollowUpTask(CompleteFollowUpTaskRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireRequestId(request.RequestId);
        var taskId = check.RequireGuid(request.TaskId, "task_id");
        check.Require(request.Kind != InteractionKind.Unspecified && Enum.IsDefined(request.Kind), "kind", "must be call, visit, email, meeting, note or newsletter");
        check.RequireLength(request.Outcome?.Trim(), "outcome", 1, 1000);
        check.ThrowIfInvalid();
        var by = context.CallerId();
        return idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            var (task, interaction, next) = await planner.CompleteAsync(taskId, (EngagementDomain.InteractionKind)(int)request.Kind, request.Outcome!.Trim(), by, ct);
            return new CompleteFollowUpTaskResponse { Task = task.ToProto(), Interaction = interaction.ToProto(), NextTask = next?.ToProto() };
        }, r => [CustomersApi.CustomerSubject(Guid.Parse(r.Interaction.CustomerId))], context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListInteractionsResponse> ListInteractions(ListInteractionsRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        var size = PageToken.Size(request.PageSize, check);
        var after = PageToken.Decode(request.PageToken, check);
        check.ThrowIfInvalid();
        var interactions = await planner.InteractionsAsync(customer, after, size, context.CancellationToken);
        var response = new ListInteractionsResponse();
        response.Interactions.AddRange(interactions.Take(size).Select(i => i.ToProto()));
        if (interactions.Count > size)
        {
            var last = interactions[size - 1];
            response.NextPageToken = PageToken.Encode(last.OccurredAt, last.Id);
        }

        return response;
    }
}
