using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Events;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.Payment.Merges;

namespace Platform.Payment.Collections.Application;

/// <summary>
/// Keeps payment's view of billing's invoices from billing's events and drives the collections cases from it. Each
/// method is one consumer's effect, applied once through the inbox; events may arrive in any order, so each one
/// creates the receivable if it is the first to speak of it and never makes a paid invoice open again.
/// </summary>
public sealed class ReceivablesBook(PaymentDb db, CollectionsDesk desk, Survivors survivors)
{
    public async Task IssuedAsync(InvoiceIssued e, CancellationToken ct)
    {
        var invoice = await FindAsync(e.InvoiceId, ct);
        if (invoice is null)
        {
            // A payment's allocation may have come first (another queue): it already lowered what is owed.
            await AddAsync(e.InvoiceId, e.InvoiceNumber, e.CustomerId, e.ContractId, e.Currency, e.Amount,
                amountDue: Math.Max(0m, e.Amount - await PaidAfterAsync(e.InvoiceId, DateTimeOffset.MinValue, ct)), issuedAt: e.OccurredAt, dueDate: e.DueDate, ct);
            return;
        }

        // An overdue notice came first and guessed the issue facts: the issue event knows them.
        invoice.Amount = e.Amount;
        invoice.IssuedAt = e.OccurredAt;
        invoice.DueDate = e.DueDate;
    }

    public async Task OverdueAsync(InvoiceOverdue e, CancellationToken ct)
    {
        var invoice = await FindAsync(e.InvoiceId, ct);
        if (invoice is null)
        {
            // Billing's amount due already counts the payments before the notice; later ones may have come first.
            invoice = await AddAsync(e.InvoiceId, e.InvoiceNumber, e.CustomerId, e.ContractId, e.Currency, e.AmountDue,
                amountDue: Math.Max(0m, e.AmountDue - await PaidAfterAsync(e.InvoiceId, e.OccurredAt, ct)), issuedAt: e.DueDate, dueDate: e.DueDate, ct);
        }

        if (invoice.PaidAt is null)
        {
            var lastPayment = await db.Set<ReceivableAllocation>().Where(a => a.InvoiceId == e.InvoiceId).MaxAsync(a => (DateTimeOffset?)a.At, ct);
            await desk.OpenAsync(invoice, lastPayment is { } paid && paid > invoice.DueDate ? paid : invoice.DueDate, e.OccurredAt, ct);
        }
    }

    public async Task PaidAsync(InvoicePaid e, CancellationToken ct)
    {
        var invoice = await FindAsync(e.InvoiceId, ct);
        if (invoice is null)
        {
            (await AddAsync(e.InvoiceId, e.InvoiceNumber, e.CustomerId, e.ContractId, e.Currency, e.Amount, amountDue: 0m, issuedAt: e.OccurredAt, dueDate: e.OccurredAt, ct))
                .PaidAt = e.OccurredAt;
        }
        else if (invoice.PaidAt is null)
        {
            invoice.AmountDue = 0m;
            invoice.PaidAt = e.OccurredAt;
        }

        await desk.CloseAsync(e.InvoiceId, "paid", e.OccurredAt, ct);
    }

    /// <summary>A voided invoice leaves the receivables (nothing is owed on it) and its case closes as voided.</summary>
    public async Task VoidedAsync(InvoiceVoided e, CancellationToken ct)
    {
        var invoice = await FindAsync(e.InvoiceId, ct)
            ?? await AddAsync(e.InvoiceId, e.InvoiceNumber, e.CustomerId, e.ContractId, e.Currency, e.AmountDue, amountDue: 0m, issuedAt: e.OccurredAt, dueDate: e.OccurredAt, ct);
        invoice.AmountDue = 0m;
        invoice.VoidedAt ??= e.OccurredAt;
        await desk.CloseAsync(e.InvoiceId, "voided", e.OccurredAt, ct);
    }

    /// <summary>Records what the payment paid on each invoice; the cases re-anchor (partly paid) or close (paid in full).</summary>
    public async Task AllocatedAsync(PaymentAllocated e, CancellationToken ct)
    {
        foreach (var allocation in e.Allocations.Where(a => a.Amount > 0))
        {
            db.Set<ReceivableAllocation>().Add(new ReceivableAllocation
            {
                PaymentId = e.PaymentId,
                InvoiceId = allocation.InvoiceId,
                Amount = allocation.Amount,
                At = e.OccurredAt,
            });
            if (await FindAsync(allocation.InvoiceId, ct) is { PaidAt: null } invoice)
            {
                invoice.AmountDue = allocation.RemainingDue;
                if (allocation.RemainingDue <= 0)
                {
                    invoice.PaidAt = e.OccurredAt;
                }
            }

            await desk.ApplyPaymentAsync(allocation.InvoiceId, allocation.Amount, allocation.RemainingDue, e.OccurredAt, ct);
        }
    }

    /// <summary>
    /// A receivable first heard of through <paramref name="invoiceId"/>'s event, added to the unit of work; an invoice of a
    /// merged customer is the survivor's receivable (the merge moved the ones it found).
    /// </summary>
    private async Task<Receivable> AddAsync(Guid invoiceId, string number, Guid customerId, Guid? contractId, string currency, decimal amount, decimal amountDue,
        DateTimeOffset issuedAt, DateTimeOffset dueDate, CancellationToken ct)
    {
        var receivable = new Receivable
        {
            InvoiceId = invoiceId,
            InvoiceNumber = number,
            CustomerId = await survivors.OfAsync(customerId, ct),
            ContractId = contractId,
            Amount = amount,
            AmountDue = amountDue,
            Currency = currency,
            IssuedAt = issuedAt,
            DueDate = dueDate,
        };
        db.Set<Receivable>().Add(receivable);
        return receivable;
    }

    private async Task<decimal> PaidAfterAsync(Guid invoiceId, DateTimeOffset after, CancellationToken ct) =>
        await db.Set<ReceivableAllocation>().Where(a => a.InvoiceId == invoiceId && a.At > after).SumAsync(a => a.Amount, ct);

    private async Task<Receivable?> FindAsync(Guid invoiceId, CancellationToken ct) =>
        db.Set<Receivable>().Local.FirstOrDefault(r => r.InvoiceId == invoiceId)
        ?? await db.Set<Receivable>().SingleOrDefaultAsync(r => r.InvoiceId == invoiceId, ct);
}
