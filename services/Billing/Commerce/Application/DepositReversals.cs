using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Application;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Commerce.Application;

/// <summary>
/// Takes back the deposit of a payment announcement that turned out not to be money (<c>PaymentReversed</c>: a cleared
/// cheque bounced, or the payer is not a customer), double-entry and append-only, once per (payment id, generation).
/// </summary>
/// <remarks>
/// <para>
/// The ledger: one transfer, its id derived from (payment, generation) (<see cref="Postings.DepositReversal"/>), which
/// always applies: the reserve share goes back to payments clearing, prepaid cash is debited for what of the deposit it
/// still holds — from the deposit's own lot first, so the customer's other lots keep their expiry — and the rest — what
/// settled invoices, and what of the deposit was spent, held or refunded meanwhile — becomes receivable: the customer
/// owes it. Prepaid cash never goes below zero for it (a shortfall is a receivable, not credit). A refund already paid
/// out of the deposit left with money that never came in: clearing goes below zero by it, backed by the receivable.
/// </para>
/// <para>
/// Refunds not paid out yet: one still awaiting a decision is checked again when approved (it may not exceed what is
/// refundable then, and the reversal's debit of prepaid cash counts: <see cref="Platform.Billing.Application.RefundDesk"/>);
/// one approved already is in refunds payable and payment will pay it out (billing cannot call it back), so the
/// reversal counts it as owed, and its RefundPaid then takes clearing below zero by it (RefundFailed instead returns it
/// to prepaid cash, next to the debt on the invoice).
/// </para>
/// <para>
/// Invoices: the invoices the payment paid stay paid (paid is final, and collections closed their cases); what the
/// customer owes again is asked for by one new invoice, issued at once and due now, whose receivable is the one the
/// reversal booked (issuing it books no revenue: the sales were booked when first invoiced, the spending when charged).
/// <c>InvoiceIssued</c> puts it in collections' aging like any other; a payment allocated to it settles the receivable.
/// </para>
/// <para>
/// Receipts are never deleted or renumbered: the payment's receipt is marked reversed. A payment announced again (the
/// next generation) gets a receipt of its own.
/// </para>
/// <para>
/// Order: events are not ordered, so a reversal may overtake the announcement it takes back. It is then recorded with
/// nothing posted, and that announcement deposits nothing when it comes (<see cref="NotTakenBackAsync"/>). A
/// transaction-scoped advisory lock per payment makes the two consumers take turns on one payment, so neither can miss
/// the other's commit.
/// </para>
/// </remarks>
public sealed class DepositReversals(BillingDb db, LedgerStore ledger, DocumentNumbers numbers, IOptions<CommerceOptions> options, TimeProvider clock)
{
    /// <summary>Applies the reversal once; a re-published one (another event id, same payment and generation) changes nothing.</summary>
    public async Task ReverseAsync(PaymentReversed reversal, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reversal.Generation);
        await LockAsync([reversal.PaymentId], ct);
        if (await db.Set<DepositReversal>().AnyAsync(r => r.PaymentId == reversal.PaymentId && r.Generation == reversal.Generation, ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var receipt = await db.Set<Receipt>().SingleOrDefaultAsync(r => r.PaymentId == reversal.PaymentId && r.Generation == reversal.Generation, ct);
        var depositId = Postings.DepositId(reversal.PaymentId, reversal.Generation);
        var stored = await db.Set<LedgerTransferRow>().AsNoTracking().SingleOrDefaultAsync(t => t.Id == depositId, ct);
        var customerId = stored?.CustomerId ?? receipt?.CustomerId ?? reversal.CustomerId;
        Guid? transferId = null;
        var owed = 0m;
        Invoice? invoice = null;
        if (stored is not null && LedgerStore.Stored(stored) is { Legs.Count: > 0 } deposit)
        {
            // The lot the deposit created (none when it only paid invoices), where it is now: the reversal draws on it first.
            var depositLot = await DepositLotAsync(depositId, ct);
            var applied = await ledger.ApplyAsync(new LedgerPosting(customerId, Postings.DepositReversalId(reversal.PaymentId, reversal.Generation),
                    book => Postings.DepositReversal(reversal.PaymentId, reversal.Generation, deposit, book, depositLot), CompareReplay: false,
                    $"payment {reversal.PaymentId} reversed: {reversal.Reason}", TraceParent: Outbox.CurrentTraceParent()), ct)
                ?? throw new InvalidOperationException("A deposit's reversal always has legs");
            transferId = applied.Transfer.Id;
            owed = Postings.Owed(applied.Transfer);
            if (owed > 0)
            {
                invoice = await OwedAgainAsync(customerId, owed, reversal, receipt, now, ct);
            }
        }

        if (receipt is not null)
        {
            receipt.ReversedAt = now;
            receipt.ReversalReason = reversal.Reason;
        }

        db.Set<DepositReversal>().Add(new DepositReversal
        {
            PaymentId = reversal.PaymentId,
            Generation = reversal.Generation,
            CustomerId = customerId,
            Amount = reversal.Amount,
            Currency = reversal.Currency,
            Reason = Truncate(reversal.Reason, 32),
            Detail = Truncate(reversal.Detail, 500),
            TransferId = transferId,
            ReceiptId = receipt?.Id,
            Owed = owed,
            InvoiceId = invoice?.Id,
            ReversedAt = now,
        });
    }

    /// <summary>
    /// The lot <paramref name="depositId"/> created, followed through customer merges: a merge empties the merged
    /// customer's lots into new lots of the survivor with the same expiry (<see cref="MergePostings"/>), so the deposit's
    /// money is then in the survivor's lot of that expiry from the merge-in transfer (lots of one expiry are alike to the
    /// customer). Null when the deposit created no lot; the last lot found when a merge moved none of that expiry.
    /// </summary>
    private async Task<Guid?> DepositLotAsync(Guid depositId, CancellationToken ct)
    {
        var lot = await db.Set<PrepaidLotRow>().AsNoTracking().Where(l => l.TransferId == depositId).OrderBy(l => l.Id)
            .Select(l => new { l.Id, l.CustomerId, l.ExpiresAt }).FirstOrDefaultAsync(ct);
        for (var hops = 0; lot is not null && hops < 16; hops++) // a chain of merges, bounded in case rows ever formed a cycle
        {
            var customerId = lot.CustomerId;
            var mergedInto = await db.Set<CustomerMergeRow>().AsNoTracking().Where(m => m.MergedId == customerId)
                .Select(m => (Guid?)m.MergedInto).SingleOrDefaultAsync(ct);
            if (mergedInto is null)
            {
                break;
            }

            var mergeIn = MergePostings.InId(mergedInto.Value, customerId);
            var expiry = lot.ExpiresAt;
            var moved = await db.Set<PrepaidLotRow>().AsNoTracking().Where(l => l.TransferId == mergeIn && l.ExpiresAt == expiry).OrderBy(l => l.Id)
                .Select(l => new { l.Id, l.CustomerId, l.ExpiresAt }).FirstOrDefaultAsync(ct);
            if (moved is null)
            {
                break;
            }

            lot = moved;
        }

        return lot?.Id;
    }

    /// <summary>
    /// The announcements of <paramref name="messages"/> not taken back yet; locks their payments (as
    /// <see cref="ReverseAsync"/> does) for the rest of the caller's transaction, so a reversal cannot slip in between.
    /// </summary>
    public async Task<IReadOnlyList<PaymentReceived>> NotTakenBackAsync(IReadOnlyList<PaymentReceived> messages, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return messages;
        }

        var ids = messages.Select(m => m.PaymentId).Distinct().ToList();
        await LockAsync(ids, ct);
        var reversed = (await db.Set<DepositReversal>().AsNoTracking().Where(r => ids.Contains(r.PaymentId))
            .Select(r => new { r.PaymentId, r.Generation }).ToListAsync(ct)).Select(r => (r.PaymentId, r.Generation)).ToHashSet();
        return reversed.Count == 0 ? messages : messages.Where(m => !reversed.Contains((m.PaymentId, m.Generation))).ToList();
    }

    /// <summary>The invoice for what the customer owes again: open at once, its receivable already booked by the reversal.</summary>
    private async Task<Invoice> OwedAgainAsync(Guid customerId, decimal owed, PaymentReversed reversal, Receipt? receipt, DateTimeOffset now,
        CancellationToken ct)
    {
        var contractId = receipt?.ContractId is { } named && await db.Set<Contract>().AnyAsync(c => c.Id == named && c.CustomerId == customerId, ct)
            ? named
            : (Guid?)null;
        var invoice = new Invoice
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            ContractId = contractId,
            Description = Truncate($"Payment {reversal.PaymentId} (receipt {receipt?.Number ?? "none"}) reversed: {reversal.Reason}", 200),
            Currency = options.Value.Currency,
            Amount = owed,
            DueDate = now,
            CreatedAt = now,
        };
        invoice.Apply(InvoiceAction.Issue, now);
        invoice.Number = await numbers.NextAsync("INV", now, ct);
        invoice.IssuedAt = now;
        db.Set<Invoice>().Add(invoice);
        db.Enqueue(new InvoiceIssued(Guid.CreateVersion7(), now, invoice.Id, invoice.Number, customerId, contractId, owed, invoice.Currency,
            invoice.DueDate), clock);
        return invoice;
    }

    /// <summary>Transaction-scoped advisory locks on the payments, taken in one order so two callers cannot deadlock.</summary>
    private async Task LockAsync(IReadOnlyList<Guid> paymentIds, CancellationToken ct)
    {
        var keys = paymentIds.Select(Key).Distinct().Order().ToArray();
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockClass}, k) FROM (SELECT unnest({keys}) AS k ORDER BY k) AS s", ct);
    }

    /// <summary>The advisory lock class of payment announcements (two-key locks do not meet the one-key locks of jobs).</summary>
    private const int LockClass = 0x52455653;

    private static int Key(Guid paymentId)
    {
        Span<byte> bytes = stackalloc byte[16];
        paymentId.TryWriteBytes(bytes);
        return BitConverter.ToInt32(bytes[12..]) ^ BitConverter.ToInt32(bytes[..4]);
    }

    private static string Truncate(string text, int max) => text.Length > max ? text[..max] : text;
}
