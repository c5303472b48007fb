using Microsoft.Extensions.Time.Testing;
using Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Unit.Customer.Engagement;

public sealed class PipelineStagesTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));

    private static Opportunity New() => new() { Id = Guid.NewGuid(), Title = "Annual maintenance", Currency = "CNY", Stage = OpportunityStage.FirstContact, Probability = 10 };

    [Fact]
    public void Happy_path_reaches_won_with_history_and_full_probability()
    {
        var o = New();
        var path = new[] { OpportunityStage.NeedsDiscovery, OpportunityStage.Proposal, OpportunityStage.ObjectionHandling, OpportunityStage.Proposal, OpportunityStage.Closing, OpportunityStage.Won };
        var history = new List<OpportunityStageChange>();
        foreach (var stage in path)
        {
            clock.Advance(TimeSpan.FromDays(1));
            history.Add(PipelineStages.Move(o, stage, null, null, "rep", clock.GetUtcNow()));
        }

        Assert.Equal(OpportunityStage.Won, o.Stage);
        Assert.Equal(100, o.Probability);
        Assert.Equal(path, history.Select(h => h.To));
        Assert.Equal(OpportunityStage.FirstContact, history[0].From);
    }

    [Theory]
    [InlineData(OpportunityStage.FirstContact, OpportunityStage.Proposal)]
    [InlineData(OpportunityStage.FirstContact, OpportunityStage.Won)]
    [InlineData(OpportunityStage.NeedsDiscovery, OpportunityStage.Closing)]
    [InlineData(OpportunityStage.Won, OpportunityStage.Lost)]
    [InlineData(OpportunityStage.Lost, OpportunityStage.FirstContact)]
    [InlineData(OpportunityStage.Proposal, OpportunityStage.NeedsDiscovery)]
    public void Moves_outside_the_table_are_refused(OpportunityStage from, OpportunityStage to)
    {
        Assert.False(PipelineStages.CanMove(from, to));
        var o = New();
        o.Stage = from;
        Assert.Throws<InvalidOperationException>(() => PipelineStages.Move(o, to, "reason", null, "rep", clock.GetUtcNow()));
        Assert.Equal(from, o.Stage);
    }

    [Fact]
    public void Every_open_stage_may_be_lost_but_only_with_a_reason()
    {
        foreach (var stage in new[] { OpportunityStage.FirstContact, OpportunityStage.NeedsDiscovery, OpportunityStage.Proposal, OpportunityStage.ObjectionHandling, OpportunityStage.Closing })
        {
            Assert.True(PipelineStages.CanMove(stage, OpportunityStage.Lost));
        }

        var o = New();
        Assert.Throws<ArgumentException>(() => PipelineStages.Move(o, OpportunityStage.Lost, " ", null, "rep", clock.GetUtcNow()));
        PipelineStages.Move(o, OpportunityStage.Lost, "went with a competitor", 70, "rep", clock.GetUtcNow());
        Assert.Equal(("went with a competitor", 0), (o.LostReason, o.Probability));
    }

    [Fact]
    public void Probability_is_the_reps_or_the_stage_default()
    {
        var o = New();
        PipelineStages.Move(o, OpportunityStage.NeedsDiscovery, null, null, "rep", clock.GetUtcNow());
        Assert.Equal(20, o.Probability);
        PipelineStages.Move(o, OpportunityStage.Proposal, null, 55, "rep", clock.GetUtcNow());
        Assert.Equal(55, o.Probability);
    }
}
