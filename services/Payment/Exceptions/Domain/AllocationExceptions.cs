using Platform.Contracts.Events;

namespace Platform.Payment.Exceptions.Domain;

/// <summary>An over- or under-payment read from billing's allocation of one payment.</summary>
public sealed record AllocationException(WorkItemKind Kind, decimal Amount, Guid? InvoiceId);

public static class AllocationExceptions
{
    /// <summary>
    /// Only a payment that named its invoices can be over- or under-paid: the payer meant those invoices. More than they
    /// owed was deposited as prepaid (one over-payment); each named invoice still owing after it is an under-payment.
    /// A payment that named nothing was a deposit (or billing chose the invoices), so nothing is exceptional.
    /// </summary>
    public static IReadOnlyList<AllocationException> Of(PaymentAllocated allocated)
    {
        if (!allocated.InvoicesNamed)
        {
            return [];
        }

        var found = new List<AllocationException>();
        if (allocated.Deposited > 0)
        {
            found.Add(new AllocationException(WorkItemKind.OverPayment, allocated.Deposited, null));
        }

        found.AddRange(allocated.Allocations.Where(a => a.RemainingDue > 0)
            .Select(a => new AllocationException(WorkItemKind.UnderPayment, a.RemainingDue, a.InvoiceId)));
        return found;
    }
}
