using Platform.Billing.Commerce.Domain;

namespace Platform.Tests.Unit.Billing.Commerce;

public sealed class PaymentAllocationTests
{
    private static readonly DateTimeOffset Day = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid();

    [Fact]
    public void Without_named_invoices_the_oldest_due_is_paid_first()
    {
        var open = new[] { new OpenAmount(A, Day.AddDays(20), 100m), new OpenAmount(B, Day, 100m), new OpenAmount(C, Day.AddDays(10), 100m) };

        var (allocations, left) = PaymentAllocation.Allocate(150m, open, namedOrder: false);

        Assert.Equal([(B, 100m, true), (C, 50m, false)], allocations.Select(a => (a.InvoiceId, a.Amount, a.PaysInFull)));
        Assert.Equal(0m, left);
    }

    [Fact]
    public void Named_invoices_are_paid_in_the_order_named_and_the_rest_stays_unallocated()
    {
        var open = new[] { new OpenAmount(A, Day.AddDays(20), 100m), new OpenAmount(B, Day, 30m) };

        var (allocations, left) = PaymentAllocation.Allocate(200m, open, namedOrder: true);

        Assert.Equal([(A, 100m, true), (B, 30m, true)], allocations.Select(a => (a.InvoiceId, a.Amount, a.PaysInFull)));
        Assert.Equal(70m, left);
    }
}
