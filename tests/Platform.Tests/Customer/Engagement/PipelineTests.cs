using Google.Rpc;
using Grpc.Core;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Customer.Engagement;

public sealed class PipelineTests(EngagementServices services) : IClassFixture<EngagementServices>
{
    private async Task<Opportunity> OpenAsync(Guid owner, string customerId) => await services.Pipeline.OpenOpportunityAsync(new OpenOpportunityRequest
    {
        RequestId = Guid.NewGuid().ToString(),
        CustomerId = customerId,
        OwnerId = owner.ToString(),
        Title = "Three-year maintenance",
        Amount = new Google.Type.Money { Units = 36000, CurrencyCode = "CNY" },
        ExpectedCloseTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)),
    }, Tokens.As(Roles.SalesRep));

    private async Task<Opportunity> MoveAsync(string id, OpportunityStage to, string lostReason = "", int probability = 0) =>
        await services.Pipeline.MoveOpportunityAsync(new MoveOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            OpportunityId = id,
            ToStage = to,
            LostReason = lostReason,
            Probability = probability,
        }, Tokens.As(Roles.SalesRep));

    [Fact]
    public async Task An_opportunity_moves_to_won_with_its_stage_history()
    {
        var customer = await services.RegisterAsync();
        var opened = await OpenAsync(Guid.NewGuid(), customer.CustomerId);

        await MoveAsync(opened.OpportunityId, OpportunityStage.NeedsDiscovery);
        await MoveAsync(opened.OpportunityId, OpportunityStage.Proposal, probability: 45);
        await MoveAsync(opened.OpportunityId, OpportunityStage.Closing);
        var won = await MoveAsync(opened.OpportunityId, OpportunityStage.Won);
        var read = await services.Pipeline.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = opened.OpportunityId }, Tokens.As(Roles.SalesManager));

        Assert.Equal((OpportunityStage.FirstContact, 10, 36000L), (opened.Stage, opened.Probability, opened.Amount.Units));
        Assert.Equal((OpportunityStage.Won, 100), (won.Stage, won.Probability));
        Assert.Equal(won, read);
        Assert.Equal([OpportunityStage.NeedsDiscovery, OpportunityStage.Proposal, OpportunityStage.Closing, OpportunityStage.Won], read.History.Select(h => h.To));
        Assert.Equal(OpportunityStage.FirstContact, read.History[0].From);
    }

    [Fact]
    public async Task A_move_the_pipeline_does_not_allow_is_refused_and_changes_nothing()
    {
        var customer = await services.RegisterAsync();
        var opened = await OpenAsync(Guid.NewGuid(), customer.CustomerId);

        var skip = await Assert.ThrowsAsync<RpcException>(() => MoveAsync(opened.OpportunityId, OpportunityStage.Closing));
        var lost = await MoveAsync(opened.OpportunityId, OpportunityStage.Lost, "no budget this year");
        var afterLost = await Assert.ThrowsAsync<RpcException>(() => MoveAsync(opened.OpportunityId, OpportunityStage.NeedsDiscovery));
        var read = await services.Pipeline.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = opened.OpportunityId }, Tokens.As(Roles.SalesRep));

        Assert.Equal(StatusCode.FailedPrecondition, skip.StatusCode);
        Assert.Equal("STAGE_MOVE_NOT_ALLOWED", skip.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(StatusCode.FailedPrecondition, afterLost.StatusCode);
        Assert.Equal((OpportunityStage.Lost, "no budget this year", 0), (lost.Stage, lost.LostReason, lost.Probability));
        Assert.Equal(lost, read);
        Assert.Single(read.History);
    }

    [Fact]
    public async Task Opportunities_are_listed_by_stage_and_owner()
    {
        var owner = Guid.NewGuid();
        var customer = await services.RegisterAsync(owner);
        var a = await OpenAsync(owner, customer.CustomerId);
        var b = await OpenAsync(owner, customer.CustomerId);
        var other = await OpenAsync(Guid.NewGuid(), customer.CustomerId);
        await MoveAsync(b.OpportunityId, OpportunityStage.NeedsDiscovery);

        var mine = await services.Pipeline.ListOpportunitiesAsync(new ListOpportunitiesRequest { OwnerId = owner.ToString(), PageSize = 1 }, Tokens.As(Roles.SalesRep));
        var rest = await services.Pipeline.ListOpportunitiesAsync(new ListOpportunitiesRequest { OwnerId = owner.ToString(), PageSize = 1, PageToken = mine.NextPageToken }, Tokens.As(Roles.SalesRep));
        var discovering = await services.Pipeline.ListOpportunitiesAsync(new ListOpportunitiesRequest { OwnerId = owner.ToString(), Stage = OpportunityStage.NeedsDiscovery }, Tokens.As(Roles.SalesRep));

        Assert.Equal([b.OpportunityId, a.OpportunityId], mine.Opportunities.Concat(rest.Opportunities).Select(o => o.OpportunityId));
        Assert.Equal("", rest.NextPageToken);
        Assert.Equal(b.OpportunityId, Assert.Single(discovering.Opportunities).OpportunityId);
        Assert.DoesNotContain(other.OpportunityId, mine.Opportunities.Concat(rest.Opportunities).Select(o => o.OpportunityId));
    }
}
