using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Customer.Engagement.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using FollowUpTask = Platform.Contracts.Customer.V1.FollowUpTask;
using FollowUpTaskState = Platform.Contracts.Customer.V1.FollowUpTaskState;
using InteractionKind = Platform.Contracts.Customer.V1.InteractionKind;

namespace Platform.Tests.Customer.Engagement;

public sealed class GradingAndFollowUpTests(EngagementServices services) : IClassFixture<EngagementServices>
{
    /// <summary>The database keeps microseconds; answers computed in memory carry ticks.</summary>
    private static readonly TimeSpan Precision = TimeSpan.FromMilliseconds(1);

    private static SetIntentGradeRequest Grade(string customerId, IntentGrade grade, string reason = "asked for a quote") =>
        new() { RequestId = Guid.NewGuid().ToString(), CustomerId = customerId, IntentGrade = grade, Reason = reason };

    private async Task<List<FollowUpTask>> TasksAsync(string customerId) =>
        (await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest { CustomerId = customerId }, Tokens.As(Roles.SalesRep))).Tasks.ToList();

    [Fact]
    public async Task Setting_a_grade_keeps_history_announces_it_and_plans_the_grades_cadence()
    {
        var owner = Guid.NewGuid();
        var customer = await services.RegisterAsync(owner);

        var first = await services.Grading.SetIntentGradeAsync(Grade(customer.CustomerId, IntentGrade.A), Tokens.As(Roles.SalesRep));
        var tasksA = await TasksAsync(customer.CustomerId);
        await services.Grading.SetIntentGradeAsync(Grade(customer.CustomerId, IntentGrade.C, "budget frozen"), Tokens.As(Roles.SalesRep));
        var tasks = await TasksAsync(customer.CustomerId);
        var history = await services.Grading.ListIntentGradeHistoryAsync(new ListIntentGradeHistoryRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesManager));

        Assert.Equal((IntentGrade.Unspecified, IntentGrade.A, "test-user"), (first.From, first.To, first.ChangedBy));
        var a = Assert.Single(tasksA);
        Assert.Equal((InteractionKind.Call, owner.ToString()), (a.Channel, a.OwnerId));
        Assert.Equal(first.ChangeTime.ToDateTimeOffset().AddDays(7), a.DueTime.ToDateTimeOffset(), Precision);
        Assert.Equal([FollowUpTaskState.Cancelled, FollowUpTaskState.Open], tasks.OrderBy(t => t.TaskId == a.TaskId ? 0 : 1).Select(t => t.State));
        var c = tasks.Single(t => t.State == FollowUpTaskState.Open);
        Assert.Equal((InteractionKind.Newsletter, IntentGrade.C), (c.Channel, c.IntentGrade));
        Assert.Equal(history.Changes[1].ChangeTime.ToDateTimeOffset().AddDays(30), c.DueTime.ToDateTimeOffset(), Precision);
        Assert.Equal([(IntentGrade.Unspecified, IntentGrade.A, "asked for a quote"), (IntentGrade.A, IntentGrade.C, "budget frozen")],
            history.Changes.Select(h => (h.From, h.To, h.Reason)));
        var announced = (await services.OutboxAsync<IntentGradeChanged>()).Count(p => p.Contains(customer.CustomerId, StringComparison.Ordinal));
        Assert.Equal(2, announced);
        var stored = await services.QueryAsync(db => db.Set<Platform.Customer.Domain.CustomerProfile>().SingleAsync(x => x.Id == Guid.Parse(customer.CustomerId)));
        Assert.Equal(Platform.Customer.Domain.IntentGrade.C, stored.IntentGrade);
    }

    [Fact]
    public async Task Completing_a_task_records_the_interaction_and_rolls_the_plan_forward()
    {
        var owner = Guid.NewGuid();
        var customer = await services.RegisterAsync(owner);
        await services.Grading.SetIntentGradeAsync(Grade(customer.CustomerId, IntentGrade.B), Tokens.As(Roles.SalesRep));
        var task = Assert.Single(await TasksAsync(customer.CustomerId));

        var request = new CompleteFollowUpTaskRequest { RequestId = Guid.NewGuid().ToString(), TaskId = task.TaskId, Kind = InteractionKind.Email, Outcome = "sent the renewal offer" };
        var done = await services.FollowUps.CompleteFollowUpTaskAsync(request, Tokens.As(Roles.SalesRep));
        var again = await services.FollowUps.CompleteFollowUpTaskAsync(request, Tokens.As(Roles.SalesRep));
        var byOwner = await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest { OwnerId = owner.ToString(), State = FollowUpTaskState.Open }, Tokens.As(Roles.SalesRep));
        var interactions = await services.FollowUps.ListInteractionsAsync(new ListInteractionsRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SupportAgent));

        Assert.Equal(done, again);
        Assert.Equal(FollowUpTaskState.Done, done.Task.State);
        Assert.Equal(done.Task.CompletionTime.ToDateTimeOffset().AddDays(14), done.NextTask.DueTime.ToDateTimeOffset(), Precision);
        Assert.Equal(done.NextTask.TaskId, Assert.Single(byOwner.Tasks).TaskId);
        var interaction = Assert.Single(interactions.Interactions);
        Assert.Equal((InteractionKind.Email, "sent the renewal offer", task.TaskId), (interaction.Kind, interaction.Outcome, interaction.TaskId));

        var twice = await Assert.ThrowsAsync<RpcException>(async () => await services.FollowUps.CompleteFollowUpTaskAsync(
            new CompleteFollowUpTaskRequest { RequestId = Guid.NewGuid().ToString(), TaskId = task.TaskId, Kind = InteractionKind.Call, Outcome = "again" }, Tokens.As(Roles.SalesRep)));
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);
    }

    [Fact]
    public async Task An_edited_cadence_policy_plans_new_tasks()
    {
        var policy = await services.FollowUps.UpdateCadencePolicyAsync(new UpdateCadencePolicyRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            IntentGrade = IntentGrade.B,
            IntervalDays = 10,
            Channels = { InteractionKind.Meeting, InteractionKind.Call },
            Description = "fortnight too slow",
        }, Tokens.As(Roles.SalesManager));
        try
        {
            var customer = await services.RegisterAsync();
            var change = await services.Grading.SetIntentGradeAsync(Grade(customer.CustomerId, IntentGrade.B), Tokens.As(Roles.SalesRep));
            var task = Assert.Single(await TasksAsync(customer.CustomerId));
            var policies = await services.FollowUps.ListCadencePoliciesAsync(new ListCadencePoliciesRequest(), Tokens.As(Roles.SalesRep));

            Assert.Equal(policy, policies.Policies.Single(p => p.IntentGrade == IntentGrade.B));
            Assert.Equal(InteractionKind.Meeting, task.Channel);
            Assert.Equal(change.ChangeTime.ToDateTimeOffset().AddDays(10), task.DueTime.ToDateTimeOffset(), Precision);
        }
        finally
        {
            await services.FollowUps.UpdateCadencePolicyAsync(new UpdateCadencePolicyRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                IntentGrade = IntentGrade.B,
                IntervalDays = 14,
                Channels = { InteractionKind.Email, InteractionKind.Call },
                Description = "every two weeks e-mail, plus a call when needed",
            }, Tokens.As(Roles.SalesManager));
        }
    }

    [Fact]
    public async Task Grading_needs_a_sales_role_and_editing_the_cadence_a_manager()
    {
        var customer = await services.RegisterAsync();

        var clerk = await Assert.ThrowsAsync<RpcException>(async () => await services.Grading.SetIntentGradeAsync(Grade(customer.CustomerId, IntentGrade.A), Tokens.As(Roles.FinanceClerk)));
        var rep = await Assert.ThrowsAsync<RpcException>(async () => await services.FollowUps.UpdateCadencePolicyAsync(new UpdateCadencePolicyRequest
        {
            RequestId = "x",
            IntentGrade = IntentGrade.A,
            IntervalDays = 1,
            Channels = { InteractionKind.Call },
        }, Tokens.As(Roles.SalesRep)));

        Assert.Equal(StatusCode.PermissionDenied, clerk.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, rep.StatusCode);
        Assert.Empty(await TasksAsync(customer.CustomerId));
    }

    [Fact]
    public async Task Grade_of_an_unknown_customer_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await services.Grading.SetIntentGradeAsync(Grade(Guid.NewGuid().ToString(), IntentGrade.A), Tokens.As(Roles.SalesRep)));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task Task_lists_page_by_due_time()
    {
        var owner = Guid.NewGuid();
        foreach (var grade in new[] { IntentGrade.C, IntentGrade.A, IntentGrade.B })
        {
            var customer = await services.RegisterAsync(owner);
            await services.Grading.SetIntentGradeAsync(Grade(customer.CustomerId, grade), Tokens.As(Roles.SalesRep));
        }

        var first = await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest { OwnerId = owner.ToString(), PageSize = 2 }, Tokens.As(Roles.SalesRep));
        var second = await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest { OwnerId = owner.ToString(), PageSize = 2, PageToken = first.NextPageToken }, Tokens.As(Roles.SalesRep));
        var dueSoon = await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest
        {
            OwnerId = owner.ToString(),
            DueBefore = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(8)),
        }, Tokens.As(Roles.SalesRep));

        Assert.Equal([IntentGrade.A, IntentGrade.B, IntentGrade.C], first.Tasks.Concat(second.Tasks).Select(t => t.IntentGrade));
        Assert.Equal("", second.NextPageToken);
        Assert.Equal(IntentGrade.A, Assert.Single(dueSoon.Tasks).IntentGrade);
    }
}
