using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>Settles a refund payment paid out, once.</summary>
public sealed class RefundPaidConsumer(BillingDb db, TimeProvider clock, RefundDesk refunds) : InboxConsumer<RefundPaid, BillingDb>(db, clock)
{
    protected override Task ApplyAsync(RefundPaid message, CancellationToken ct) => refunds.PaidAsync(message.RefundId, ct);
}

/// <summary>Returns the money of a refund payment could not pay out, once.</summary>
public sealed class RefundFailedConsumer(BillingDb db, TimeProvider clock, RefundDesk refunds) : InboxConsumer<RefundFailed, BillingDb>(db, clock)
{
    protected override Task ApplyAsync(RefundFailed message, CancellationToken ct) => refunds.FailedAsync(message.RefundId, message.Reason, ct);
}
