using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Data;
using Platform.Payment.Exceptions.Domain;
using Platform.Payment.Merges;

namespace Platform.Payment.Exceptions.Messaging;

/// <summary>
/// Opens over- and under-payment work items from billing's allocation of a payment, once per payment and invoice.
/// Allocations arriving together are applied in one transaction.
/// </summary>
public sealed class PaymentAllocatedConsumer(PaymentDb db, TimeProvider clock, AuditTrail audit, Survivors survivors)
    : InboxBatchConsumer<PaymentAllocated, PaymentDb>(db, clock)
{
    protected override async Task ApplyAsync(PaymentAllocated message, CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        foreach (var found in AllocationExceptions.Of(message))
        {
            // The inbox stops a redelivery; this stops a second allocation event of the same payment (a replayed outbox),
            // also one earlier in the same batch.
            var open = Db.Set<WorkItem>().Local.Any(w => w.Kind == found.Kind && w.PaymentId == message.PaymentId && w.InvoiceId == found.InvoiceId)
                || await Db.Set<WorkItem>().AnyAsync(w => w.Kind == found.Kind && w.PaymentId == message.PaymentId && w.InvoiceId == found.InvoiceId, ct);
            if (open)
            {
                continue;
            }

            var summary = found.Kind == WorkItemKind.OverPayment
                ? $"over-payment: {found.Amount} {message.Currency} more than the named invoices owed went to prepaid (receipt {message.ReceiptNumber})"
                : $"under-payment: invoice {found.InvoiceId} still owes {found.Amount} {message.Currency} (receipt {message.ReceiptNumber})";
            // A payment of a merged customer that billing allocated after the merge: the survivor's work item.
            var customerId = await survivors.OfAsync(message.CustomerId, ct);
            var item = WorkItem.Open(found.Kind, message.PaymentId, customerId, found.Amount, message.Currency, now, summary, found.InvoiceId);
            Db.Set<WorkItem>().Add(item);
            audit.Record("system:payment-allocated", "work_item.opened", $"payment-work-items/{item.Id}", customerId,
                new { kind = found.Kind.ToString(), message.PaymentId, found.InvoiceId, found.Amount });
        }
    }
}
