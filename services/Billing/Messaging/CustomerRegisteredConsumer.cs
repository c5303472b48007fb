using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>Opens the prepaid account of every registered customer, once, in batches (an import registers thousands at once).</summary>
public sealed class CustomerRegisteredConsumer(BillingDb db, TimeProvider clock, PrepaidAccountBook book)
    : InboxBatchConsumer<CustomerRegistered, BillingDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerRegistered message, CancellationToken ct) => ApplyAllAsync([message], ct);

    protected override Task ApplyAllAsync(IReadOnlyList<CustomerRegistered> messages, CancellationToken ct) =>
        book.OpenAllAsync([.. messages.Select(m => m.CustomerId)], ct);
}
