using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Checks.Application;
using Platform.Payment.Data;

namespace Platform.Payment.Checks.Messaging;

/// <summary>A registered customer may pay.</summary>
public sealed class KnownCustomerRegisteredConsumer(PaymentDb db, TimeProvider clock, CustomerDirectory directory)
    : InboxConsumer<CustomerRegistered, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerRegistered message, CancellationToken ct) => directory.RegisteredAsync(message, ct);
}

/// <summary>An erased customer is refused as payer from now on.</summary>
public sealed class KnownCustomerErasedConsumer(PaymentDb db, TimeProvider clock, CustomerDirectory directory)
    : InboxConsumer<CustomerErased, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerErased message, CancellationToken ct) => directory.ErasedAsync(message, ct);
}

/// <summary>A merged-away customer is refused as payer, naming the survivor.</summary>
public sealed class KnownCustomersMergedConsumer(PaymentDb db, TimeProvider clock, CustomerDirectory directory)
    : InboxConsumer<CustomersMerged, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(CustomersMerged message, CancellationToken ct) => directory.MergedAsync(message, ct);
}

/// <summary>Collections cases and exception work items follow the customer to its new owner.</summary>
public sealed class CustomerOwnerChangedConsumer(PaymentDb db, TimeProvider clock, CustomerDirectory directory)
    : InboxConsumer<CustomerOwnerChanged, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerOwnerChanged message, CancellationToken ct) => directory.OwnerChangedAsync(message, ct);
}
