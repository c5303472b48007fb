using Microsoft.Extensions.Time.Testing;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Unit.Customer.Engagement;

public sealed class CadenceTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(IntentGrade.A, 7, InteractionKind.Call)]
    [InlineData(IntentGrade.B, 14, InteractionKind.Email)]
    [InlineData(IntentGrade.C, 30, InteractionKind.Newsletter)]
    public void Each_grade_gets_its_default_cadence(IntentGrade grade, int days, InteractionKind channel)
    {
        var policy = Cadence.Defaults().Single(p => p.Grade == grade);
        var task = Cadence.Next(policy, Guid.NewGuid(), Guid.NewGuid(), clock.GetUtcNow());

        Assert.Equal(clock.GetUtcNow().AddDays(days), task.DueAt);
        Assert.Equal(channel, task.Channel);
        Assert.Equal(FollowUpTaskState.Open, task.State);
        Assert.Equal(grade, task.Grade);
    }

    [Fact]
    public void Defaults_follow_the_domain_file()
    {
        var byGrade = Cadence.Defaults().ToDictionary(p => p.Grade);
        Assert.Equal([InteractionKind.Call, InteractionKind.Visit], byGrade[IntentGrade.A].ChannelList);
        Assert.Equal([InteractionKind.Email, InteractionKind.Call], byGrade[IntentGrade.B].ChannelList);
        Assert.Equal([InteractionKind.Newsletter], byGrade[IntentGrade.C].ChannelList);
    }

    [Fact]
    public void The_plan_rolls_forward_from_the_completion_not_from_the_old_due_date()
    {
        var policy = Cadence.Defaults().Single(p => p.Grade == IntentGrade.A);
        var first = Cadence.Next(policy, Guid.NewGuid(), Guid.NewGuid(), clock.GetUtcNow());
        clock.Advance(TimeSpan.FromDays(9)); // completed two days late

        var next = Cadence.Next(policy, first.CustomerId, first.OwnerId, clock.GetUtcNow());

        Assert.Equal(first.DueAt.AddDays(9), next.DueAt);
    }

    [Fact]
    public void An_edited_policy_changes_the_due_date_and_channel()
    {
        var policy = new CadencePolicy { Grade = IntentGrade.B, IntervalDays = 3, Channels = CadencePolicy.Join([InteractionKind.Meeting]) };

        var task = Cadence.Next(policy, Guid.NewGuid(), Guid.NewGuid(), clock.GetUtcNow());

        Assert.Equal(clock.GetUtcNow().AddDays(3), task.DueAt);
        Assert.Equal(InteractionKind.Meeting, task.Channel);
    }

    [Fact]
    public void A_task_is_overdue_once_after_its_due_time_while_open()
    {
        var task = Cadence.Next(Cadence.Defaults()[0], Guid.NewGuid(), Guid.NewGuid(), clock.GetUtcNow());
        Assert.False(Cadence.IsNewlyOverdue(task, clock.GetUtcNow().AddDays(7)));

        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        Assert.True(Cadence.IsNewlyOverdue(task, clock.GetUtcNow()));

        task.OverdueRaisedAt = clock.GetUtcNow();
        Assert.False(Cadence.IsNewlyOverdue(task, clock.GetUtcNow().AddDays(1)));
    }

    [Fact]
    public void Done_on_time_means_completed_no_later_than_due()
    {
        var task = Cadence.Next(Cadence.Defaults()[0], Guid.NewGuid(), Guid.NewGuid(), clock.GetUtcNow());
        task.State = FollowUpTaskState.Done;
        task.CompletedAt = task.DueAt;
        Assert.True(task.DoneOnTime);

        task.CompletedAt = task.DueAt.AddMinutes(1);
        Assert.False(task.DoneOnTime);
    }
}
