using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Checks.Application;
using Platform.Payment.Data;
using Platform.Payment.VirtualAccounts.Application;

namespace Platform.Payment.Checks.Messaging;

/// <summary>
/// Registered customers, in batches (an import registers thousands at once): each may pay, its owner gets the call tasks
/// of its collections cases, and it gets its virtual account number, so the number can go on the first invoice.
/// </summary>
public sealed class RegisteredCustomersConsumer(PaymentDb db, TimeProvider clock, CustomerDirectory directory, VirtualAccountBook accounts)
    : InboxBatchConsumer<CustomerRegistered, PaymentDb>(db, clock)
{
    public const string Actor = "system:customer-registered";

    protected override Task ApplyAsync(CustomerRegistered message, CancellationToken ct) => ApplyAllAsync([message], ct);

    protected override async Task ApplyAllAsync(IReadOnlyList<CustomerRegistered> messages, CancellationToken ct)
    {
        await directory.RegisteredAsync(messages, ct);
        await accounts.AssignNewAsync([.. messages.Select(m => m.CustomerId)], Actor, ct);
    }
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
