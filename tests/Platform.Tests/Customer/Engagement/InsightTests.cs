using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Customer.Engagement;

/// <summary>KPIs on a seeded book of one sales rep's customers equal the figures worked out by hand below.</summary>
public sealed class InsightTests(EngagementServices services) : IClassFixture<EngagementServices>
{
    private static DateTimeOffset On(int month, int day) => new(2025, month, day, 12, 0, 0, TimeSpan.Zero);

    private static readonly Timestamp March = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly Timestamp April = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero));

    private async Task SeedAsync(Guid owner)
    {
        var c1 = Guid.Parse((await services.RegisterAsync(owner)).CustomerId);
        var c2 = Guid.Parse((await services.RegisterAsync(owner)).CustomerId);
        var c3 = Guid.Parse((await services.RegisterAsync(owner)).CustomerId);
        await services.RegisterAsync(owner); // c4 stays a prospect
        ContractSigned Signed(Guid c, DateTimeOffset at) => new(Guid.NewGuid(), at, Guid.NewGuid(), c, "C-1", 5000m, "CNY", "prepaid", at);
        PaymentReceived Paid(Guid c, decimal amount, DateTimeOffset at) => new(Guid.NewGuid(), at, Guid.NewGuid(), c, amount, "CNY", "alipay", at);
        SatisfactionSurveyAnswered Survey(Guid c, int score, DateTimeOffset at) => new(Guid.NewGuid(), at, c, Guid.NewGuid(), score);

        await services.DeliverAsync(Signed(c3, On(1, 5)));
        await services.DeliverAsync(Signed(c1, On(2, 10)));
        await services.DeliverAsync(new PrepaidBalanceChanged(Guid.NewGuid(), On(2, 11), c1, Guid.NewGuid(), "prepaid.deposit", 5000m, "CNY"));
        await services.DeliverAsync(Paid(c3, 500m, On(2, 15)));
        await services.DeliverAsync(Survey(c3, 5, On(2, 20)));
        await services.DeliverAsync(Paid(c1, 1000m, On(3, 5)));
        await services.DeliverAsync(Survey(c1, 4, On(3, 6)));
        await services.DeliverAsync(Signed(c2, On(3, 10)));
        await services.DeliverAsync(Paid(c2, 2000m, On(3, 11)));
        await services.DeliverAsync(Survey(c2, 2, On(3, 12)));
        await services.DeliverAsync(Survey(c2, 9, On(3, 13))); // out of range: not satisfaction data
        await services.DeliverAsync(Paid(c1, 3000m, On(3, 20)));
        await services.DeliverAsync(new PrepaidBalanceChanged(Guid.NewGuid(), On(3, 25), c1, Guid.NewGuid(), "prepaid.consumed", 0m, "CNY"));
    }

    [Fact]
    public async Task Kpis_per_owner_segment_equal_the_hand_computation_with_the_previous_period()
    {
        var owner = Guid.NewGuid();
        await SeedAsync(owner);

        var insight = await services.Insight.GetCustomerInsightAsync(new GetCustomerInsightRequest
        {
            PeriodStart = March,
            PeriodEnd = April,
            SegmentBy = SegmentDimension.Owner,
        }, Tokens.As(Roles.SalesManager));
        var segment = insight.Segments.Single(s => s.Segment == owner.ToString());

        // March: c1 and c3 are customers on the 1st; c2 signs (new), c1 runs out of money (churned); payments 1000, 3000
        // (c1) and 2000 (c2); survey scores 4 and 2.
        var march = segment.Current;
        Assert.Equal((2, 2, 1, 1), (march.CustomerCountAtStart, march.CustomerCount, march.NewCustomers, march.ChurnedCustomers));
        Assert.Equal((0.0, 0.5), (march.GrowthRate, march.ChurnRate));
        Assert.Equal((3, 2000L, 0), (march.Purchases, march.AveragePurchaseAmount.Units, march.AveragePurchaseAmount.Nanos));
        Assert.Equal(1.5, march.PurchaseFrequency);
        Assert.Equal((3.0, 2), (march.Satisfaction, march.SurveyAnswers));

        // The 28 days before (29 Jan - 1 Mar): c3 is a customer at the start, c1 signs; one payment of 500; one score of 5.
        var before = segment.Previous;
        Assert.Equal((1, 2, 1, 0), (before.CustomerCountAtStart, before.CustomerCount, before.NewCustomers, before.ChurnedCustomers));
        Assert.Equal((1.0, 0.0), (before.GrowthRate, before.ChurnRate));
        Assert.Equal((1, 500L, 1.0), (before.Purchases, before.AveragePurchaseAmount.Units, before.PurchaseFrequency));
        Assert.Equal((5.0, 1), (before.Satisfaction, before.SurveyAnswers));
        Assert.Equal(new DateTimeOffset(2025, 1, 29, 0, 0, 0, TimeSpan.Zero), insight.PreviousPeriodStart.ToDateTimeOffset());

        var reps = await services.Insight.GetRepPerformanceAsync(new GetRepPerformanceRequest { PeriodStart = March, PeriodEnd = April }, Tokens.As(Roles.SalesManager));
        var rep = reps.Reps.Single(r => r.OwnerId == owner.ToString());
        Assert.Equal((0, 0.0, 1, 1, 3.0), (rep.TasksDue, rep.ExecutionRate, rep.NewCustomers, rep.ChurnedCustomers, rep.Satisfaction));
    }
}
