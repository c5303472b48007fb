using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Data;
using Platform.Payment.VirtualAccounts.Application;

namespace Platform.Payment.VirtualAccounts.Messaging;

/// <summary>Gives every registered customer a virtual account number, once, so the number can go on the first invoice.</summary>
public sealed class CustomerRegisteredConsumer(PaymentDb db, TimeProvider clock, VirtualAccountBook accounts)
    : InboxConsumer<CustomerRegistered, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerRegistered message, CancellationToken ct) =>
        accounts.AssignAsync(message.CustomerId, "system:customer-registered", ct);
}
