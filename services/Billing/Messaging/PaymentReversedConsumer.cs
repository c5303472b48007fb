using Platform.Billing.Commerce.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>
/// Takes back the deposit of a payment announcement that turned out not to be money, once: the inbox for a redelivered
/// message, the (payment id, generation) key for a re-published one (<see cref="DepositReversals"/>).
/// </summary>
public sealed class PaymentReversedConsumer(BillingDb db, TimeProvider clock, DepositReversals reversals) : InboxConsumer<PaymentReversed, BillingDb>(db, clock)
{
    protected override Task ApplyAsync(PaymentReversed message, CancellationToken ct) => reversals.ReverseAsync(message, ct);
}
