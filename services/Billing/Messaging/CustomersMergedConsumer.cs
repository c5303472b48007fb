using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>Hands a merged customer's prepaid book over to the survivor, once.</summary>
public sealed class CustomersMergedConsumer(BillingDb db, TimeProvider clock, CustomerMerges merges) : InboxConsumer<CustomersMerged, BillingDb>(db, clock)
{
    protected override Task ApplyAsync(CustomersMerged message, CancellationToken ct) => merges.MergedAsync(message, ct);
}
