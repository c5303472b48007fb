using Platform.Billing.Commerce.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit.Billing.Commerce;

public sealed class InvoiceLifecycleTests
{
    [Theory]
    [InlineData(InvoiceState.Draft, InvoiceAction.Issue, InvoiceState.Open)]
    [InlineData(InvoiceState.Draft, InvoiceAction.Void, InvoiceState.Void)]
    [InlineData(InvoiceState.Open, InvoiceAction.Pay, InvoiceState.Paid)]
    [InlineData(InvoiceState.Open, InvoiceAction.Void, InvoiceState.Void)]
    [InlineData(InvoiceState.Open, InvoiceAction.MarkUncollectible, InvoiceState.Uncollectible)]
    [InlineData(InvoiceState.Uncollectible, InvoiceAction.Pay, InvoiceState.Paid)]
    [InlineData(InvoiceState.Uncollectible, InvoiceAction.Void, InvoiceState.Void)]
    public void Allowed_moves(InvoiceState from, InvoiceAction action, InvoiceState to) =>
        Assert.Equal(to, InvoiceLifecycle.Next(from, action));

    [Theory]
    [InlineData(InvoiceState.Draft, InvoiceAction.Pay)]
    [InlineData(InvoiceState.Draft, InvoiceAction.MarkUncollectible)]
    [InlineData(InvoiceState.Open, InvoiceAction.Issue)]
    [InlineData(InvoiceState.Paid, InvoiceAction.Void)]
    [InlineData(InvoiceState.Paid, InvoiceAction.Pay)]
    [InlineData(InvoiceState.Void, InvoiceAction.Issue)]
    [InlineData(InvoiceState.Void, InvoiceAction.Pay)]
    [InlineData(InvoiceState.Uncollectible, InvoiceAction.Issue)]
    public void Refused_moves(InvoiceState from, InvoiceAction action) =>
        Assert.Null(InvoiceLifecycle.Next(from, action));

    [Fact]
    public void Paid_invoice_cannot_be_voided_and_the_refusal_names_its_state()
    {
        var invoice = new Invoice { Id = Guid.NewGuid(), Description = "x", Currency = "CNY", Amount = 10m };
        invoice.Apply(InvoiceAction.Issue, DateTimeOffset.UnixEpoch);
        invoice.Apply(InvoiceAction.Pay, DateTimeOffset.UnixEpoch);

        var e = Assert.Throws<PreconditionFailedException>(() => invoice.Apply(InvoiceAction.Void, DateTimeOffset.UnixEpoch));

        Assert.Equal("INVOICE_STATE", e.Reason);
        Assert.Contains("paid", e.Message, StringComparison.Ordinal);
        Assert.Equal(InvoiceState.Paid, invoice.State);
    }

    [Fact]
    public void Numbers_are_series_year_and_six_digits() =>
        Assert.Equal("INV-2026-000042", InvoiceLifecycle.Number("INV", 2026, 42));

    [Theory]
    [InlineData(1615, 100, 16.15)]
    [InlineData(1000, 0, 0)]
    [InlineData(0, 500, 0)]
    [InlineData(333.33, 50, 1.67)] // 1.66665 rounds half away from zero to cents
    [InlineData(200, 10000, 200)]
    public void Late_penalty_is_basis_points_of_what_is_overdue_rounded_to_cents(double overdue, int basisPoints, double penalty) =>
        Assert.Equal((decimal)penalty, LateTerms.Penalty((decimal)overdue, basisPoints));
}
