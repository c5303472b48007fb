namespace Platform.Billing.Commerce.Domain;

public sealed record OpenAmount(Guid InvoiceId, DateTimeOffset DueDate, decimal AmountDue);

public sealed record Allocation(Guid InvoiceId, decimal Amount, bool PaysInFull);

/// <summary>
/// Spreads a payment over open invoices: the ones named, in the order named, or else oldest due date first. Each gets
/// at most what it still owes; what is left stays unallocated (the caller deposits it as prepaid).
/// </summary>
public static class PaymentAllocation
{
    public static (IReadOnlyList<Allocation> Allocations, decimal Unallocated) Allocate(decimal amount, IReadOnlyList<OpenAmount> invoices, bool namedOrder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var ordered = namedOrder ? invoices : invoices.OrderBy(i => i.DueDate).ThenBy(i => i.InvoiceId).ToList();
        var left = amount;
        var allocations = new List<Allocation>();
        foreach (var invoice in ordered.Where(i => i.AmountDue > 0))
        {
            if (left <= 0)
            {
                break;
            }

            var share = Math.Min(left, invoice.AmountDue);
            allocations.Add(new Allocation(invoice.InvoiceId, share, share == invoice.AmountDue));
            left -= share;
        }

        return (allocations, left);
    }
}
