using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Application;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>
/// Applies every received payment once: first to the invoices it names (or, naming none, the customer's open invoices,
/// oldest due first), with a receipt; the rest is deposited into the prepaid book as a lot expiring after the
/// contract's prepaid validity (or the configured default), with the reserve share set aside. What pays a prepaid
/// contract's prepayment invoice is deposited too: it is prepaid money the contract's charges spend. The inbox records the
/// message, and the transfer id derives from the payment id, so even a re-published event with a new message id cannot
/// apply twice. "Once" is per (payment id, generation): a payment whose deposit was taken back (PaymentReversed) and that
/// was announced again (the next generation) is deposited again, under that generation's receipt and transfer id; an
/// announcement already taken back (the reversal overtook it) deposits nothing (<see cref="DepositReversals"/>).
/// Payments arriving together are applied in one transaction, with a few set-based statements for all of them (accounts,
/// receipts, invoices, contracts, one ledger call); in their order, so a customer's payments meet its invoices as they
/// would one by one.
/// </summary>
public sealed class PaymentReceivedConsumer(BillingDb db, TimeProvider clock, PrepaidAccountBook accounts, InvoiceService invoices, LedgerStore ledger,
    IOptions<BillingOptions> options, DepositReversals reversals, ILogger<PaymentReceivedConsumer> log) : InboxBatchConsumer<PaymentReceived, BillingDb>(db, clock)
{
    protected override Task ApplyAsync(PaymentReceived message, CancellationToken ct) => ApplyAllAsync([message], ct);

    protected override async Task ApplyAllAsync(IReadOnlyList<PaymentReceived> messages, CancellationToken ct)
    {
        messages = await reversals.NotTakenBackAsync(messages, ct);
        if (messages.Count == 0)
        {
            return;
        }

        await accounts.EnsureOpenAllAsync(messages.Select(m => m.CustomerId).ToList(), ct);
        var contracts = await ContractsNamedAsync(messages, ct);
        var own = messages.Select(m => OwnContract(m, contracts)).ToList();
        var allocations = await invoices.AllocatePaymentsAsync(
            messages.Select((m, i) => new ReceivedPayment(m.CustomerId, m.PaymentId, m.Amount, m.InvoiceIds, own[i]?.Id, m.Generation)).ToList(), ct);

        var postings = new List<LedgerPosting>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var deposited = allocations[i].Deposited;
            var transfer = Postings.Deposit(message.PaymentId, deposited, LotExpiry(message, own[i]), options.Value.RiskReserveShare,
                invoiced: message.Amount - deposited, message.Generation);
            if (transfer.Legs.Count > 0)
            {
                postings.Add(LedgerPosting.Known(message.CustomerId, transfer, compareReplay: false, $"payment {message.PaymentId}"));
            }
        }

        if (postings.Count > 0 && (await ledger.ApplyManyAsync(postings, ct)).FirstOrDefault(r => r.Refusal is not null).Refusal is { } refusal)
        {
            throw refusal; // a deposit is never refused; if one is, nothing of the batch is kept and each message is retried on its own
        }
    }

    /// <summary>
    /// The contracts the payments name (one query for all of them), each with its customer and prepaid validity in
    /// months, and the customers merged into the payers (a survivor may pay a contract its merged customer signed).
    /// </summary>
    private async Task<NamedContracts> ContractsNamedAsync(IReadOnlyList<PaymentReceived> messages, CancellationToken ct)
    {
        var ids = messages.Where(m => m.ContractId is not null).Select(m => m.ContractId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return new NamedContracts([], []);
        }

        var found = await Db.Set<Contract>().AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.CustomerId, c.Terms.PrepaidValidityMonths })
            .ToDictionaryAsync(c => c.Id, c => (c.CustomerId, c.PrepaidValidityMonths), ct);
        var signers = found.Values.Select(c => c.CustomerId).Distinct().ToList();
        var merged = (await Db.Set<CustomerMergeRow>().AsNoTracking().Where(r => signers.Contains(r.MergedId))
            .Select(r => new { r.MergedId, r.SurvivorId }).ToListAsync(ct)).Select(r => (r.MergedId, r.SurvivorId)).ToHashSet();
        return new NamedContracts(found, merged);
    }

    /// <summary>
    /// The contract the payment names, when it is the payer's (or a customer's merged into the payer); otherwise none.
    /// Payment checks this when it records the payment, but takes the contract as named when billing does not answer: a
    /// contract of someone else must not give this money its prepaid validity or its refund policy.
    /// </summary>
    private (Guid Id, int Months)? OwnContract(PaymentReceived message, NamedContracts contracts)
    {
        if (message.ContractId is null)
        {
            return null;
        }

        if (contracts.OwnedBy(message) is { } own)
        {
            return own;
        }

        log.LogWarning("Payment {PaymentId} names contract {ContractId}, which is not its payer {CustomerId}'s; deposited without the contract's terms",
            message.PaymentId, message.ContractId, message.CustomerId);
        return null;
    }

    /// <summary>When the deposit's lot expires: after the own contract's prepaid validity, else the configured default.</summary>
    private DateTimeOffset? LotExpiry(PaymentReceived message, (Guid Id, int Months)? ownContract)
    {
        var received = message.ReceivedAt.ToUniversalTime();
        if (ownContract is { Months: > 0 } own)
        {
            return received.AddMonths(own.Months);
        }

        var days = options.Value.PrepaidValidityDays;
        return days == 0 ? null : received.AddDays(days);
    }

    private sealed record NamedContracts(Dictionary<Guid, (Guid CustomerId, int Months)> Found, HashSet<(Guid Merged, Guid Survivor)> Merged)
    {
        /// <summary>The contract the message names with its prepaid validity, when it is the payer's or a customer's merged into the payer.</summary>
        public (Guid Id, int Months)? OwnedBy(PaymentReceived message) =>
            message.ContractId is { } id && Found.TryGetValue(id, out var contract) &&
            (contract.CustomerId == message.CustomerId || Merged.Contains((contract.CustomerId, message.CustomerId)))
                ? (id, contract.Months)
                : null;
    }
}
