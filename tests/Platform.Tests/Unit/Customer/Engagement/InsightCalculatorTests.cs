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
}
