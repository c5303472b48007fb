using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Application;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Domain.Ledger;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Application;

/// <param name="InstallmentSequence">The contract's payment step this invoice bills (0: none).</param>
/// <param name="PenaltyFor">The overdue invoice whose late penalty this invoice charges.</param>
public sealed record NewInvoice(Guid CustomerId, Guid? ContractId, string Description, decimal Amount, DateTimeOffset DueDate,
    int InstallmentSequence = 0, Guid? PenaltyFor = null);

/// <summary>A received payment to allocate (from PaymentReceived).</summary>
/// <param name="InvoiceIds">The invoices the payer named, in order; none: the customer's open invoices, oldest due first.</param>
/// <param name="ContractId">The contract the payer named, if any (kept on the receipt for the contract's refund policy).</param>
/// <param name="Generation">Which announcement of the payment (<c>PaymentReceived.Generation</c>): allocated once per (payment, generation).</param>
public sealed record ReceivedPayment(Guid CustomerId, Guid PaymentId, decimal Amount, IReadOnlyList<Guid>? InvoiceIds, Guid? ContractId,
    int Generation = 0);

/// <param name="ToPrepayments">What paid prepayment invoices: that money is prepaid, so it is deposited too.</param>
public sealed record PaymentAllocationResult(Receipt? Receipt, IReadOnlyList<Allocation> Allocations, decimal Unallocated, decimal ToPrepayments)
{
    /// <summary>What goes into the prepaid book: the rest no invoice took, and what paid prepayment invoices.</summary>
    public decimal Deposited => Unallocated + ToPrepayments;
}

/// <summary>Invoices through their life, gapless numbers at issue, and allocation of payments with receipts.</summary>
/// <remarks>
/// Issuing posts the invoice to the customer's book (receivable against revenue), voiding takes back what it still owed,
/// and a payment allocated to it settles the receivable (<see cref="Postings.Deposit"/>), each in the same transaction
/// as the invoice's change. A written-off (uncollectible) invoice stays receivable: late money may still pay it.
/// </remarks>
public sealed class InvoiceService(BillingDb db, DocumentNumbers numbers, LedgerStore ledger, PrepaidAccountBook accounts,
    IOptions<CommerceOptions> options, TimeProvider clock)
{
    public async Task<Invoice> CreateAsync(NewInvoice request, CancellationToken ct)
    {
        if (request.ContractId is { } contractId)
        {
            var contract = await db.Set<Contract>().AsSplitQuery().AsNoTracking().SingleOrDefaultAsync(c => c.Id == contractId, ct)
                ?? throw new NotFoundException("contract", contractId.ToString());
            if (contract.CustomerId != request.CustomerId)
            {
                throw ValidationException.For("contract_id", "is a contract of another customer");
            }
        }

        var invoice = new Invoice
        {
            Id = Guid.CreateVersion7(),
            CustomerId = request.CustomerId,
            ContractId = request.ContractId,
            Description = request.Description,
            Currency = options.Value.Currency,
            Amount = request.Amount,
            DueDate = request.DueDate,
            InstallmentSequence = request.InstallmentSequence,
            PenaltyFor = request.PenaltyFor,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Set<Invoice>().Add(invoice);
        await db.SaveChangesAsync(ct);
        return invoice;
    }

    /// <summary>Opens a draft with the next gapless number of the year (inside the caller's transaction).</summary>
    public async Task<Invoice> IssueAsync(Guid id, CancellationToken ct)
    {
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var invoice = await LoadAsync(id, ct);
        var now = clock.GetUtcNow();
        invoice.Apply(InvoiceAction.Issue, now);
        invoice.Number = await numbers.NextAsync("INV", now, ct);
        invoice.IssuedAt = now;
        db.Enqueue(new InvoiceIssued(Guid.CreateVersion7(), now, invoice.Id, invoice.Number, invoice.CustomerId, invoice.ContractId,
            invoice.Amount, invoice.Currency, invoice.DueDate), clock);
        await SaveAsync(ct);
        if (invoice.Amount > 0 && !invoice.Prepayment)
        {
            await accounts.EnsureOpenAsync(invoice.CustomerId, ct);
            await ledger.ApplyAsync(invoice.CustomerId, Postings.InvoiceIssued(invoice.Id, invoice.Amount), invoice.Currency, $"invoice {invoice.Number}", ct);
        }

        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        return invoice;
    }

    public async Task<Invoice> VoidAsync(Guid id, string reason, CancellationToken ct)
    {
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var invoice = await LoadAsync(id, ct);
        Close(invoice, InvoiceAction.Void, reason);
        if (invoice.IssuedAt is not null) // a voided draft was never owed
        {
            if (invoice.AmountDue > 0 && !invoice.Prepayment)
            {
                await ledger.ApplyAsync(invoice.CustomerId, Postings.InvoiceVoided(invoice.Id, invoice.AmountDue), invoice.Currency, $"invoice {invoice.Number} voided", ct);
            }

            // Payment's receivables and collections must stop counting and chasing it.
            db.Enqueue(new InvoiceVoided(Guid.CreateVersion7(), invoice.ClosedAt!.Value, invoice.Id, invoice.Number!, invoice.CustomerId,
                invoice.ContractId, invoice.AmountDue, invoice.Currency, reason), clock);
        }

        await SaveAsync(ct); // the invoice, its announcement and what the posting queued, in one save
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        return invoice;
    }

    public Task<Invoice> MarkUncollectibleAsync(Guid id, string reason, CancellationToken ct) => CloseAsync(id, InvoiceAction.MarkUncollectible, reason, ct);

    public async Task<Invoice> GetAsync(Guid id, CancellationToken ct) =>
        await db.Set<Invoice>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw new NotFoundException("invoice", id.ToString());

    /// <summary>A page of a customer's invoices, newest first (ids are time-ordered); the token is the last id seen.</summary>
    public async Task<(IReadOnlyList<Invoice> Page, Guid? Next)> ListAsync(Guid customerId, Guid? contractId, int pageSize, Guid? after, CancellationToken ct)
    {
        var query = db.Set<Invoice>().AsNoTracking().Where(i => i.CustomerId == customerId);
        if (contractId is { } c)
        {
            query = query.Where(i => i.ContractId == c);
        }

        return await query.NewestFirstAsync(i => i.Id, pageSize, after, ct);
    }

    /// <summary>
    /// Allocates received payments, in their order, each to its customer's open invoices (with a merge, those of the
    /// survivor and of every customer merged into it: <see cref="MergedBooksAsync"/>) — the ones named, in that order,
    /// or else oldest due first — marks fully covered invoices paid (InvoicePaid), and issues a receipt for each payment
    /// listing its allocations and what was left unallocated (to deposit as prepaid). Answers one result per payment.
    /// However many payments, it reads with a fixed number of statements: the receipts of earlier allocations, the
    /// merges, the customers' open invoices (locked, in id order), and the receipt numbers. A payment already allocated (earlier, or earlier in the
    /// same list) answers its first allocation; "already" means the same payment id and generation, since a payment
    /// announced again after its deposit was taken back is a new allocation with a receipt of its own.
    /// Runs in the caller's transaction and does not save: the PaymentReceived consumer saves with its inbox record.
    /// </summary>
    public async Task<IReadOnlyList<PaymentAllocationResult>> AllocatePaymentsAsync(IReadOnlyList<ReceivedPayment> payments, CancellationToken ct)
    {
        foreach (var payment in payments)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(payment.Amount);
        }

        var paymentIds = payments.Select(p => p.PaymentId).Distinct().ToList();
        var receipts = await db.Set<Receipt>().AsNoTracking().Where(r => paymentIds.Contains(r.PaymentId))
            .ToDictionaryAsync(r => (r.PaymentId, r.Generation), ct);
        var fresh = payments.Where(p => !receipts.ContainsKey((p.PaymentId, p.Generation))).DistinctBy(p => (p.PaymentId, p.Generation)).ToList();
        var books = await MergedBooksAsync(fresh.Select(p => p.CustomerId).Distinct().ToList(), ct);
        var customers = books.Values.SelectMany(b => b).Distinct().ToArray();
        var open = customers.Length == 0 ? [] : await db.Set<Invoice>()
            .FromSql($"SELECT *, xmin FROM invoices WHERE customer_id = ANY({customers}) AND state IN ('Open', 'Uncollectible') ORDER BY id FOR UPDATE")
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        var receiptNumbers = new Queue<string>(await numbers.NextReceiptsAsync(fresh.Count(p => p.Amount > 0), now, ct));

        var results = new List<PaymentAllocationResult>(payments.Count);
        foreach (var payment in payments)
        {
            if (receipts.TryGetValue((payment.PaymentId, payment.Generation), out var earlier))
            {
                var replayed = earlier.Allocations.Select(x => new Allocation(x.InvoiceId, x.Amount, false)).ToList();
                results.Add(new PaymentAllocationResult(earlier, replayed, earlier.Unallocated, await ToPrepaymentsAsync(replayed, open, ct)));
                continue;
            }

            var book = books[payment.CustomerId];
            var result = Allocate(payment, open.Where(i => book.Contains(i.CustomerId) && i.State is InvoiceState.Open or InvoiceState.Uncollectible).ToList(),
                receiptNumbers, now);
            if (result.Receipt is { } receipt)
            {
                receipts[(payment.PaymentId, payment.Generation)] = receipt;
            }

            results.Add(result with { ToPrepayments = await ToPrepaymentsAsync(result.Allocations, open, ct) });
        }

        return results;
    }

    /// <summary>
    /// For each payer, the customers whose invoices its payment may pay: after a merge the survivor's book carries the
    /// merged customers' receivables (their invoices keep the merged id, as issued), so a payment by the survivor or by a
    /// merged id pays the open invoices of the survivor and of every customer merged into it. One read, whatever the count:
    /// the merge rows of every survivor a payer is, or was merged into.
    /// </summary>
    private async Task<Dictionary<Guid, HashSet<Guid>>> MergedBooksAsync(IReadOnlyList<Guid> payers, CancellationToken ct)
    {
        var merges = db.Set<CustomerMergeRow>().AsNoTracking();
        var rows = await merges
            .Where(m => payers.Contains(m.SurvivorId) || merges.Any(p => payers.Contains(p.MergedId) && p.SurvivorId == m.SurvivorId))
            .Select(m => new { m.MergedId, m.SurvivorId }).ToListAsync(ct);
        var survivorOf = rows.ToDictionary(m => m.MergedId, m => m.SurvivorId);
        var mergedInto = rows.ToLookup(m => m.SurvivorId, m => m.MergedId);
        return payers.ToDictionary(p => p, p =>
        {
            var survivor = survivorOf.GetValueOrDefault(p, p);
            return mergedInto[survivor].Append(survivor).Append(p).ToHashSet();
        });
    }

    private PaymentAllocationResult Allocate(ReceivedPayment payment, List<Invoice> candidates, Queue<string> receiptNumbers, DateTimeOffset now)
    {
        var named = payment.InvoiceIds is { Count: > 0 };
        var invoices = named
            ? payment.InvoiceIds!.Select(id => candidates.FirstOrDefault(i => i.Id == id)).OfType<Invoice>().ToList()
            : candidates;
        var (allocations, unallocated) = PaymentAllocation.Allocate(payment.Amount,
            invoices.Select(i => new OpenAmount(i.Id, i.DueDate, i.AmountDue)).ToList(), named);

        foreach (var allocation in allocations)
        {
            var invoice = invoices.Single(i => i.Id == allocation.InvoiceId);
            invoice.AmountPaid += allocation.Amount;
            if (allocation.PaysInFull)
            {
                invoice.Apply(InvoiceAction.Pay, now);
                db.Enqueue(new InvoicePaid(Guid.CreateVersion7(), now, invoice.Id, invoice.Number ?? "", invoice.CustomerId, invoice.ContractId,
                    invoice.Amount, invoice.Currency), clock);
            }
        }

        // Every payment gets its receipt, also one that pays no invoice (then it is all prepaid deposit).
        Receipt? receipt = null;
        if (payment.Amount > 0)
        {
            receipt = new Receipt
            {
                Id = Guid.CreateVersion7(),
                Number = receiptNumbers.Dequeue(),
                CustomerId = payment.CustomerId,
                PaymentId = payment.PaymentId,
                ContractId = payment.ContractId ?? SingleContractOf(allocations.Select(a => invoices.Single(i => i.Id == a.InvoiceId))),
                Amount = payment.Amount,
                Unallocated = unallocated,
                Currency = options.Value.Currency,
                IssuedAt = now,
                Allocations = allocations.Select(a => new ReceiptAllocation { InvoiceId = a.InvoiceId, Amount = a.Amount }).ToList(),
                Generation = payment.Generation,
            };
            db.Set<Receipt>().Add(receipt);
            db.Enqueue(new PaymentAllocated(Guid.CreateVersion7(), now, payment.PaymentId, payment.CustomerId, payment.Amount, receipt.Currency,
                allocations.Select(a => new InvoiceAllocation(a.InvoiceId, a.Amount, invoices.Single(i => i.Id == a.InvoiceId).AmountDue)).ToList(),
                unallocated, named, receipt.Number), clock);
        }

        return new PaymentAllocationResult(receipt, allocations, unallocated, 0m);
    }

    /// <summary>
    /// What of <paramref name="allocations"/> paid prepayment invoices (<see cref="Invoice.Prepayment"/>): prepaid money,
    /// which the contract's charges turn into revenue month by month. Booking it as a settled sale as well would count
    /// the contract twice. The invoices locked for the allocation answer it; only a replay's may need a query.
    /// </summary>
    private async Task<decimal> ToPrepaymentsAsync(IReadOnlyList<Allocation> allocations, IReadOnlyList<Invoice> loaded, CancellationToken ct)
    {
        if (allocations.Count == 0)
        {
            return 0m;
        }

        var ids = allocations.Select(a => a.InvoiceId).ToList();
        var prepayments = loaded.Where(i => ids.Contains(i.Id) && i.Prepayment).Select(i => i.Id).ToHashSet();
        var unknown = ids.Where(id => loaded.All(i => i.Id != id)).ToList();
        if (unknown.Count > 0)
        {
            prepayments.UnionWith(await db.Set<Invoice>().AsNoTracking().Where(i => unknown.Contains(i.Id) && i.Prepayment).Select(i => i.Id).ToListAsync(ct));
        }

        return allocations.Where(a => prepayments.Contains(a.InvoiceId)).Sum(a => a.Amount);
    }

    private static Guid? SingleContractOf(IEnumerable<Invoice> paid) =>
        paid.Select(i => i.ContractId).Distinct().ToList() is [{ } only] ? only : null;

    public async Task<Receipt> ReceiptAsync(Guid? receiptId, Guid? paymentId, CancellationToken ct) =>
        await db.Set<Receipt>().AsNoTracking().Where(r => r.Id == receiptId || r.PaymentId == paymentId)
            .OrderByDescending(r => r.Generation).FirstOrDefaultAsync(ct) // a payment announced again: its latest receipt
        ?? throw new NotFoundException("receipt", (receiptId ?? paymentId).ToString()!);

    private async Task<Invoice> CloseAsync(Guid id, InvoiceAction action, string reason, CancellationToken ct)
    {
        var invoice = await LoadAsync(id, ct);
        Close(invoice, action, reason);
        await SaveAsync(ct);
        return invoice;
    }

    private void Close(Invoice invoice, InvoiceAction action, string reason)
    {
        invoice.Apply(action, clock.GetUtcNow());
        invoice.CloseReason = reason;
    }

    private async Task<Invoice> LoadAsync(Guid id, CancellationToken ct) =>
        await db.Set<Invoice>().SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw new NotFoundException("invoice", id.ToString());

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("the invoice changed meanwhile; read it again");
        }
    }
}
