using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Collections.Application;
using Platform.Payment.Data;

namespace Platform.Payment.Collections.Messaging;

/// <summary>An issued invoice becomes a receivable.</summary>
public sealed class InvoiceIssuedConsumer(PaymentDb db, TimeProvider clock, ReceivablesBook book) : InboxConsumer<InvoiceIssued, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(InvoiceIssued message, CancellationToken ct) => book.IssuedAsync(message, ct);
}

/// <summary>An overdue invoice opens its collections case.</summary>
public sealed class InvoiceOverdueConsumer(PaymentDb db, TimeProvider clock, ReceivablesBook book) : InboxConsumer<InvoiceOverdue, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(InvoiceOverdue message, CancellationToken ct) => book.OverdueAsync(message, ct);
}

/// <summary>A paid invoice leaves the receivables and closes its case.</summary>
public sealed class InvoicePaidConsumer(PaymentDb db, TimeProvider clock, ReceivablesBook book) : InboxConsumer<InvoicePaid, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(InvoicePaid message, CancellationToken ct) => book.PaidAsync(message, ct);
}

/// <summary>A voided invoice leaves the receivables and closes its case.</summary>
public sealed class InvoiceVoidedConsumer(PaymentDb db, TimeProvider clock, ReceivablesBook book) : InboxConsumer<InvoiceVoided, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(InvoiceVoided message, CancellationToken ct) => book.VoidedAsync(message, ct);
}

/// <summary>
/// What billing applied to each invoice: lowers the receivables, re-anchors or closes the cases. Every payment has its
/// allocation event, so allocations arriving together are applied in one transaction.
/// </summary>
public sealed class ReceivablesPaymentAllocatedConsumer(PaymentDb db, TimeProvider clock, ReceivablesBook book)
    : InboxBatchConsumer<PaymentAllocated, PaymentDb>(db, clock)
{
    protected override Task ApplyAsync(PaymentAllocated message, CancellationToken ct) => book.AllocatedAsync(message, ct);
}
