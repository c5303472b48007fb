using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Unit.Customer.Engagement;

public sealed class InsightCalculatorTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Period January = new(Jan, Jan.AddMonths(1));

    [Fact]
    public void Kpis_of_a_small_book_match_the_hand_computation()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        var moves = new[]
        {
            new StageMove(a, LifecycleStage.Prospect, LifecycleStage.Customer, Jan.AddDays(-10)),
            new StageMove(b, LifecycleStage.Prospect, LifecycleStage.Customer, Jan.AddDays(5)),
            new StageMove(a, LifecycleStage.Customer, LifecycleStage.Churned, Jan.AddDays(20)),
            new StageMove(c, LifecycleStage.Prospect, LifecycleStage.Customer, Jan.AddDays(40)), // after the period
        };
        var purchases = new[] { new Purchase(b, 100m, Jan.AddDays(6)), new Purchase(b, 200m, Jan.AddDays(7)), new Purchase(a, 60m, Jan.AddDays(8)) };
        var scores = new[] { new Score(a, 2, Jan.AddDays(3)), new Score(b, 5, Jan.AddDays(4)), new Score(b, 1, Jan.AddDays(-3)) };

        var k = InsightCalculator.Compute(new HashSet<Guid> { a, b, c }, moves, purchases, scores, January);

        // start: a only; end: b only (a churned); new: b; churned: a.
        Assert.Equal(new Kpis(1, 1, 1, 1, 0, 1, 120m, 3, 1.5, 3.5, 2), k);
        var previous = InsightCalculator.Compute(new HashSet<Guid> { a, b, c }, moves, purchases, scores, January.Previous);
        Assert.Equal((0, 1, 1.0, 1), (previous.CustomerCountAtStart, previous.CustomerCount, previous.Satisfaction, previous.SurveyAnswers));
    }

    [Fact]
    public void Previous_period_has_the_same_length_and_ends_where_the_period_starts() =>
        Assert.Equal(new Period(Jan.AddDays(-31), Jan), January.Previous);

    [Fact]
    public void Execution_counts_tasks_due_in_the_period_and_already_due_and_those_done_on_time()
    {
        var policy = Cadence.Defaults()[0];
        var owner = Guid.NewGuid();
        FollowUpTask Planned(int dueDay, int? doneDay, FollowUpTaskState state = FollowUpTaskState.Done)
        {
            var t = Cadence.Next(policy, Guid.NewGuid(), owner, Jan.AddDays(dueDay - 7));
            t.State = doneDay is null && state == FollowUpTaskState.Done ? FollowUpTaskState.Open : state;
            t.CompletedAt = doneDay is { } d ? Jan.AddDays(d) : null;
            return t;
        }

        var tasks = new[]
        {
            Planned(2, 1), // on time
            Planned(3, 4), // late
            Planned(5, null), // still open, overdue
            Planned(6, null, FollowUpTaskState.Cancelled), // replaced by a new plan: not due any more
            Planned(20, 19), // due after "now": not counted yet
            Planned(40, 35), // outside the period
        };

        Assert.Equal((3, 1), InsightCalculator.Execution(tasks, January, Jan.AddDays(10)));
    }
}
