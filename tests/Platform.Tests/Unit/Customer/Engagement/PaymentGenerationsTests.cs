using Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Unit.Customer.Engagement;

public sealed class PaymentGenerationsTests
{
    [Theory]
    [InlineData(0, null, true)] // the first announcement of a payment
    [InlineData(1, 0, true)] // announced again after its reversal: counts again
    [InlineData(3, 1, true)] // generations in between still on their way: the newest counts
    [InlineData(0, 0, false)] // a repeat, or its reversal came first
    [InlineData(1, 1, false)]
    [InlineData(0, 2, false)] // a later generation came first: this one was taken back already
    public void An_announcement_counts_only_above_every_generation_seen(int generation, int? highestSeen, bool counts) =>
        Assert.Equal(counts, PaymentGenerations.Counts(generation, highestSeen));
}
