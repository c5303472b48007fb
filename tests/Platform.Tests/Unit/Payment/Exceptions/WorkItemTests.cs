using Platform.Contracts.Events;
using Platform.Payment.Domain;
using Platform.Payment.Exceptions.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit.Payment.Exceptions;

public sealed class WorkItemTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static Platform.Payment.Domain.Payment Payment(PaymentState state, Guid? customerId = null, string? failure = null) => new()
    {
        Id = Guid.NewGuid(), CustomerId = customerId, Method = PaymentMethod.Card, State = state, Amount = 99m, Currency = "CNY", FailureReason = failure,
    };

    private static PaymentAllocated Allocated(bool named, decimal deposited, params InvoiceAllocation[] allocations) =>
        new(Guid.NewGuid(), Now, Guid.NewGuid(), Guid.NewGuid(), 100m, "CNY", allocations, deposited, named, "RCP-2026-000001");

    [Fact]
    public void Age_runs_until_resolution_and_then_stops()
    {
        var item = WorkItem.Open(WorkItemKind.FailedPayment, Payment(PaymentState.Failed, Guid.NewGuid(), "declined"), Now, "declined");

        Assert.Equal(TimeSpan.FromHours(5), item.AgeAt(Now.AddHours(5)));
        item.Resolve("clerk", "retried", Now.AddHours(6));
        Assert.Equal(TimeSpan.FromHours(6), item.AgeAt(Now.AddDays(3)));
    }

    [Fact]
    public void Resolved_item_cannot_be_resolved_or_reassigned()
    {
        var item = WorkItem.Open(WorkItemKind.FailedPayment, Payment(PaymentState.Failed, Guid.NewGuid(), "declined"), Now, "declined");
        item.AssignTo("clerk-a");
        item.Resolve("clerk-a", "done", Now);

        Assert.Equal("WORK_ITEM_RESOLVED", Assert.Throws<PreconditionFailedException>(() => item.Resolve("clerk-b", "again", Now)).Reason);
        Assert.Throws<PreconditionFailedException>(() => item.AssignTo("clerk-b"));
    }

    [Fact]
    public void Only_unidentified_and_failed_payments_need_a_person_when_recorded()
    {
        Assert.Equal(WorkItemKind.UnidentifiedPayer, WorkItem.OnRecorded(Payment(PaymentState.Unidentified), Now)!.Kind);
        Assert.Equal(WorkItemKind.FailedPayment, WorkItem.OnRecorded(Payment(PaymentState.Failed, Guid.NewGuid(), "declined"), Now)!.Kind);
        Assert.Null(WorkItem.OnRecorded(Payment(PaymentState.Received, Guid.NewGuid()), Now));
        Assert.Null(WorkItem.OnRecorded(Payment(PaymentState.Pending, Guid.NewGuid()), Now));
    }

    [Fact]
    public void Named_invoices_overpaid_deposit_the_rest_and_underpaid_ones_stay_due()
    {
        var paid = Guid.NewGuid();
        var partly = Guid.NewGuid();

        var found = AllocationExceptions.Of(Allocated(true, 15m, new(paid, 40m, 0m), new(partly, 45m, 5m)));

        Assert.Equal([new AllocationException(WorkItemKind.OverPayment, 15m, null), new AllocationException(WorkItemKind.UnderPayment, 5m, partly)], found);
    }

    [Fact]
    public void Payment_that_named_no_invoices_is_never_an_over_or_under_payment() =>
        Assert.Empty(AllocationExceptions.Of(Allocated(false, 60m, new InvoiceAllocation(Guid.NewGuid(), 40m, 10m))));

    [Fact]
    public void Exact_payment_of_named_invoices_is_no_exception() =>
        Assert.Empty(AllocationExceptions.Of(Allocated(true, 0m, new InvoiceAllocation(Guid.NewGuid(), 100m, 0m))));
}
