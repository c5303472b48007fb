using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Data;
using Platform.Payment.Payouts.Application;

namespace Platform.Payment.Payouts.Messaging;

/// <summary>Stores the payout of each approved refund, once per message and once per refund id; the payout job sends it.</summary>
public sealed class RefundApprovedConsumer(PaymentDb db, TimeProvider clock, PayoutDesk desk) : InboxConsumer<RefundApproved, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(RefundApproved message, CancellationToken ct) => desk.RequestAsync(message, ct);
}
