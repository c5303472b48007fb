using Microsoft.Extensions.Time.Testing;
using Platform.Payment.Collections.Domain;

namespace Platform.Tests.Unit.Payment.Collections;

public sealed class DunningLadderTests
{
    private static readonly DateTimeOffset Due = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new(Due);

    private static CollectionCase NewCase(decimal due = 1000m) => new()
    {
        Id = Guid.CreateVersion7(),
        InvoiceId = Guid.CreateVersion7(),
        InvoiceNumber = "INV-2026-000001",
        CustomerId = Guid.CreateVersion7(),
        ContractId = Guid.CreateVersion7(),
        Currency = "CNY",
        AmountDue = due,
        DueDate = Due,
        Anchor = Due,
        OpenedAt = Due.AddDays(1),
    };

    private List<DunningStage> AdvanceTo(CollectionCase @case, int day)
    {
        clock.SetUtcNow(Due.AddDays(day));
        return @case.Advance(DunningLadder.Default, clock.GetUtcNow()).Select(c => c.Stage).ToList();
    }

    [Fact]
    public void Stages_fire_at_their_day_offsets_from_the_due_date()
    {
        var @case = NewCase();
        var fired = new Dictionary<int, List<DunningStage>>();
        for (var day = 0; day <= 100; day++)
        {
            if (AdvanceTo(@case, day) is { Count: > 0 } changes)
            {
                fired[day] = changes;
            }
        }

        Assert.Equal(new Dictionary<int, List<DunningStage>>
        {
            [1] = [DunningStage.FriendlyReminder],
            [7] = [DunningStage.SecondNotice],
            [14] = [DunningStage.CallTask],
            [21] = [DunningStage.Negotiation],
            [30] = [DunningStage.PromiseToPay],
            [45] = [DunningStage.Suspension],
            [60] = [DunningStage.Termination],
            [90] = [DunningStage.LegalHandoff],
        }, fired);
        Assert.Null(@case.WakeAt);
    }

    [Fact]
    public void A_late_pass_reaches_every_stage_that_came_meanwhile_in_order()
    {
        var @case = NewCase();

        Assert.Equal([DunningStage.FriendlyReminder, DunningStage.SecondNotice, DunningStage.CallTask], AdvanceTo(@case, 15));
        Assert.Equal(Due.AddDays(21), @case.WakeAt);
    }

    [Fact]
    public void A_partial_payment_counts_the_offsets_again_from_the_payment()
    {
        var @case = NewCase();
        AdvanceTo(@case, 8);
        Assert.Equal(DunningStage.SecondNotice, @case.Stage);

        @case.ApplyPayment(400m, 600m, Due.AddDays(10));
        @case.Schedule(DunningLadder.Default);

        Assert.Equal((600m, Due.AddDays(10), true), (@case.AmountDue, @case.Anchor, @case.IsOpen));
        Assert.Equal(Due.AddDays(24), @case.WakeAt);
        Assert.Empty(AdvanceTo(@case, 14));
        Assert.Empty(AdvanceTo(@case, 23));
        Assert.Equal([DunningStage.CallTask], AdvanceTo(@case, 24));
    }

    [Fact]
    public void Payment_of_the_rest_closes_the_case_and_nothing_fires_after()
    {
        var @case = NewCase();
        AdvanceTo(@case, 46);
        @case.ApplyPayment(1000m, 0m, Due.AddDays(47));
        @case.Schedule(DunningLadder.Default);

        Assert.Equal((false, "paid", 0m), (@case.IsOpen, @case.CloseReason, @case.AmountDue));
        Assert.Null(@case.WakeAt);
        Assert.Empty(AdvanceTo(@case, 200));
        Assert.Equal(DunningStage.Suspension, @case.Stage);
    }

    [Fact]
    public void A_pending_promise_holds_the_ladder_until_its_date()
    {
        var @case = NewCase();
        AdvanceTo(@case, 22);
        var recorded = @case.RecordPromise(500m, DateOnly.FromDateTime(Due.AddDays(50).UtcDateTime), "clerk", Due.AddDays(22));
        @case.Schedule(DunningLadder.Default);

        Assert.Equal(DunningStage.PromiseToPay, recorded?.Stage);
        Assert.Equal(Due.AddDays(51), @case.WakeAt);
        Assert.Empty(AdvanceTo(@case, 45));
        Assert.Empty(AdvanceTo(@case, 50));
    }

    [Fact]
    public void A_broken_promise_escalates_to_the_next_stage_at_once_and_the_ladder_keeps_its_gaps()
    {
        var @case = NewCase();
        AdvanceTo(@case, 31);
        @case.RecordPromise(500m, DateOnly.FromDateTime(Due.AddDays(35).UtcDateTime), "clerk", Due.AddDays(31));
        @case.ApplyPayment(200m, 800m, Due.AddDays(33));

        var changes = AdvanceTo(@case, 36);

        Assert.Equal([DunningStage.Suspension], changes);
        Assert.Equal(PromiseState.Broken, @case.PromiseState);
        Assert.Equal(200m, @case.PromisePaid);
        // Termination comes 15 days after suspension, as on the configured ladder (60 - 45).
        Assert.Equal(Due.AddDays(51), @case.WakeAt);
        Assert.Empty(AdvanceTo(@case, 50));
        Assert.Equal([DunningStage.Termination], AdvanceTo(@case, 51));
    }

    [Fact]
    public void A_kept_promise_lets_the_ladder_go_on_from_the_payment()
    {
        var @case = NewCase();
        AdvanceTo(@case, 31);
        @case.RecordPromise(500m, DateOnly.FromDateTime(Due.AddDays(35).UtcDateTime), "clerk", Due.AddDays(31));
        @case.ApplyPayment(500m, 500m, Due.AddDays(34));

        Assert.Equal(PromiseState.Kept, @case.PromiseState);
        Assert.Empty(AdvanceTo(@case, 36));
        Assert.Equal([DunningStage.Suspension], AdvanceTo(@case, 34 + 45));
    }

    [Fact]
    public void A_configured_ladder_without_suspension_skips_it()
    {
        var ladder = new DunningLadder([new(DunningStage.FriendlyReminder, 3), new(DunningStage.Termination, 40)]);
        var @case = NewCase();

        Assert.Empty(@case.Advance(ladder, Due.AddDays(2)));
        Assert.Equal([DunningStage.FriendlyReminder], @case.Advance(ladder, Due.AddDays(3)).Select(c => c.Stage));
        Assert.Equal([DunningStage.Termination], @case.Advance(ladder, Due.AddDays(45)).Select(c => c.Stage));
    }

    [Fact]
    public void A_ladder_whose_offsets_go_back_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new DunningLadder([new(DunningStage.SecondNotice, 3), new(DunningStage.CallTask, 2)]));
        Assert.Throws<ArgumentException>(() => new DunningLadder([]));
    }

    [Theory]
    [InlineData(0, AgingBucket.Current)]
    [InlineData(-5, AgingBucket.Current)]
    [InlineData(1, AgingBucket.Days1To30)]
    [InlineData(30, AgingBucket.Days1To30)]
    [InlineData(31, AgingBucket.Days31To60)]
    [InlineData(60, AgingBucket.Days31To60)]
    [InlineData(61, AgingBucket.Days61To90)]
    [InlineData(90, AgingBucket.Days61To90)]
    [InlineData(91, AgingBucket.Over90)]
    public void Aging_buckets_count_whole_days_past_due(int daysPastDue, AgingBucket bucket) =>
        Assert.Equal(bucket, ReceivablesMath.BucketOf(Due, DateOnly.FromDateTime(Due.AddDays(daysPastDue).UtcDateTime)));

    [Fact]
    public void Aging_sums_per_customer_and_in_total_and_dso_is_receivables_over_sales_times_days()
    {
        var (a, b) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var asOf = DateOnly.FromDateTime(Due.AddDays(40).UtcDateTime);
        var (total, perCustomer) = ReceivablesMath.Age(
            [new(a, Due, 100m), new(a, Due.AddDays(35), 50m), new(b, Due.AddDays(50), 70m), new(b, Due.AddDays(-100), 0m)], asOf);

        Assert.Equal(new AgingBuckets(70m, 50m, 100m, 0m, 0m), total);
        Assert.Equal(new AgingBuckets(0m, 50m, 100m, 0m, 0m), perCustomer[a]);
        Assert.Equal(new AgingBuckets(70m, 0m, 0m, 0m, 0m), perCustomer[b]);
        Assert.Equal(45d, ReceivablesMath.Dso(1500m, 3000m, 90));
        Assert.Equal(0d, ReceivablesMath.Dso(1500m, 0m, 90));
    }
}
