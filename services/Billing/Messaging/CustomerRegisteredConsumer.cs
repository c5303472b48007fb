using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>Opens the prepaid account of every registered customer, once.</summary>
public sealed class CustomerRegisteredConsumer(BillingDb db, TimeProvider clock, PrepaidAccountBook book)
    : InboxConsumer<CustomerRegistered, BillingDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerRegistered message, CancellationToken ct) =>
        book.OpenAsync(message.CustomerId, ct);
}
