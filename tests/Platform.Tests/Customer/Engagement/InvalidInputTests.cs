using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Engagement.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using InteractionKind = Platform.Contracts.Customer.V1.InteractionKind;
using OpportunityStage = Platform.Contracts.Customer.V1.OpportunityStage;

namespace Platform.Tests.Customer.Engagement;

/// <summary>Every refused request answers INVALID_ARGUMENT naming the fields, and writes nothing.</summary>
public sealed class InvalidInputTests(EngagementServices services) : IClassFixture<EngagementServices>
{
    private async Task<string[]> RefusedFieldsAsync(Func<Task> call)
    {
        var before = await RowsAsync();
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(before, await RowsAsync());
        return e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).ToArray();
    }

    private Task<(int, int, int, int, int, int, int)> RowsAsync() => services.QueryAsync(async db => (
        await db.Set<IntentGradeRecord>().CountAsync(),
        await db.Set<Platform.Customer.Engagement.Domain.FollowUpTask>().CountAsync(),
        await db.Set<Platform.Customer.Engagement.Domain.CadencePolicy>().CountAsync(),
        await db.Set<Platform.Customer.Engagement.Domain.Opportunity>().CountAsync(),
        await db.Set<Platform.Customer.Engagement.Domain.LoyaltyEntry>().CountAsync(),
        await db.Set<Platform.Customer.Engagement.Domain.Referral>().CountAsync(),
        await db.Set<Platform.BuildingBlocks.Idempotency.IdempotentRequest>().CountAsync()));

    [Fact]
    public async Task Grading_input_is_checked_field_by_field()
    {
        var customer = await services.RegisterAsync();

        Assert.Equal(["request_id", "customer_id", "intent_grade", "reason"], await RefusedFieldsAsync(async () => await services.Grading.SetIntentGradeAsync(
            new SetIntentGradeRequest { CustomerId = "nope", Reason = "" }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["reason"], await RefusedFieldsAsync(async () => await services.Grading.SetIntentGradeAsync(
            new SetIntentGradeRequest { RequestId = "g1", CustomerId = customer.CustomerId, IntentGrade = IntentGrade.A, Reason = new string('x', 501) }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["customer_id"], await RefusedFieldsAsync(async () => await services.Grading.GetValueTierAsync(new GetValueTierRequest(), Tokens.As(Roles.SalesRep))));
    }

    [Fact]
    public async Task Follow_up_input_is_checked_field_by_field()
    {
        Assert.Equal(["request_id", "intent_grade", "interval_days", "channels[1]", "description"], await RefusedFieldsAsync(async () => await services.FollowUps.UpdateCadencePolicyAsync(
            new UpdateCadencePolicyRequest { IntervalDays = 0, Channels = { InteractionKind.Call, (InteractionKind)42 }, Description = new string('d', 501) }, Tokens.As(Roles.SalesManager))));
        Assert.Equal(["channels"], await RefusedFieldsAsync(async () => await services.FollowUps.UpdateCadencePolicyAsync(
            new UpdateCadencePolicyRequest { RequestId = "p1", IntentGrade = IntentGrade.A, IntervalDays = 7 }, Tokens.As(Roles.SalesManager))));
        Assert.Equal(["task_id", "kind", "outcome"], await RefusedFieldsAsync(async () => await services.FollowUps.CompleteFollowUpTaskAsync(
            new CompleteFollowUpTaskRequest { RequestId = "c1", TaskId = "1", Outcome = " " }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["owner_id", "page_size", "page_token"], await RefusedFieldsAsync(async () => await services.FollowUps.ListFollowUpTasksAsync(
            new ListFollowUpTasksRequest { PageSize = 501, PageToken = "garbage" }, Tokens.As(Roles.SalesRep))));
    }

    [Fact]
    public async Task Pipeline_input_is_checked_field_by_field()
    {
        Assert.Equal(["request_id", "customer_id", "owner_id", "title", "amount", "probability"], await RefusedFieldsAsync(async () => await services.Pipeline.OpenOpportunityAsync(
            new OpenOpportunityRequest { CustomerId = "c", Title = "", Amount = new Google.Type.Money { Units = -5, CurrencyCode = "CNY" }, Probability = 101 }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["to_stage", "lost_reason"], await RefusedFieldsAsync(async () => await services.Pipeline.MoveOpportunityAsync(
            new MoveOpportunityRequest { RequestId = "m1", OpportunityId = Guid.NewGuid().ToString(), LostReason = "not for this move" }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["lost_reason"], await RefusedFieldsAsync(async () => await services.Pipeline.MoveOpportunityAsync(
            new MoveOpportunityRequest { RequestId = "m2", OpportunityId = Guid.NewGuid().ToString(), ToStage = OpportunityStage.Lost }, Tokens.As(Roles.SalesRep))));
    }

    [Fact]
    public async Task Opportunity_amounts_the_column_cannot_keep_are_refused_naming_the_amount()
    {
        var customer = (await services.RegisterAsync()).CustomerId;
        // numeric(19,4): more than four decimals would be rounded, 10^15 does not fit.
        Assert.Equal(["amount"], await RefusedFieldsAsync(async () => await services.Pipeline.OpenOpportunityAsync(new OpenOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customer, OwnerId = Guid.NewGuid().ToString(), Title = "site licence",
            Amount = new Google.Type.Money { Units = 1, Nanos = 12_345, CurrencyCode = "CNY" },
        }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["amount"], await RefusedFieldsAsync(async () => await services.Pipeline.OpenOpportunityAsync(new OpenOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customer, OwnerId = Guid.NewGuid().ToString(), Title = "site licence",
            Amount = new Google.Type.Money { Units = 1_000_000_000_000_000, CurrencyCode = "CNY" },
        }, Tokens.As(Roles.SalesRep))));
    }

    [Fact]
    public async Task A_time_that_is_not_a_valid_timestamp_is_refused_naming_the_field()
    {
        var customer = (await services.RegisterAsync()).CustomerId;
        var beyondYear9999 = new Timestamp { Seconds = 300_000_000_000 };

        Assert.Equal(["expected_close_time"], await RefusedFieldsAsync(async () => await services.Pipeline.OpenOpportunityAsync(new OpenOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customer, OwnerId = Guid.NewGuid().ToString(), Title = "site licence",
            Amount = new Google.Type.Money { Units = 1, CurrencyCode = "CNY" }, ExpectedCloseTime = beyondYear9999,
        }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["expected_close_time"], await RefusedFieldsAsync(async () => await services.Pipeline.MoveOpportunityAsync(new MoveOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(), OpportunityId = Guid.NewGuid().ToString(), ToStage = OpportunityStage.Proposal, ExpectedCloseTime = beyondYear9999,
        }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["due_before"], await RefusedFieldsAsync(async () => await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest
        {
            CustomerId = customer, DueBefore = beyondYear9999,
        }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["period_end"], await RefusedFieldsAsync(async () => await services.Insight.GetCustomerInsightAsync(new GetCustomerInsightRequest
        {
            PeriodStart = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), PeriodEnd = beyondYear9999,
        }, Tokens.As(Roles.SalesManager))));
    }

    [Fact]
    public async Task Loyalty_and_insight_input_is_checked_field_by_field()
    {
        var customer = await services.RegisterAsync();

        Assert.Equal(["points"], await RefusedFieldsAsync(async () => await services.Loyalty.RedeemPointsAsync(
            new RedeemPointsRequest { RequestId = "r1", CustomerId = customer.CustomerId, Points = 99 }, Tokens.As(Roles.SalesRep))));
        Assert.Equal(["referred_customer_id"], await RefusedFieldsAsync(async () => await services.Loyalty.RecordReferralAsync(
            new RecordReferralRequest { RequestId = "f1", ReferrerCustomerId = customer.CustomerId, ReferredCustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep))));
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(["period_end"], await RefusedFieldsAsync(async () => await services.Insight.GetCustomerInsightAsync(new GetCustomerInsightRequest
        {
            PeriodStart = Timestamp.FromDateTimeOffset(now),
            PeriodEnd = Timestamp.FromDateTimeOffset(now.AddDays(-1)),
        }, Tokens.As(Roles.SalesManager))));
        Assert.Equal(["period_start", "period_end"], await RefusedFieldsAsync(async () => await services.Insight.GetRepPerformanceAsync(new GetRepPerformanceRequest(), Tokens.As(Roles.SalesManager))));
    }
}
