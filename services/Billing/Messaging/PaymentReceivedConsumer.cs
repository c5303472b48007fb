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
    IOptions<BillingOptions> options, DepositReversals reversals) : InboxBatchConsumer<PaymentReceived, BillingDb>(db, clock)
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
        var allocations = await invoices.AllocatePaymentsAsync(
            messages.Select(m => new ReceivedPayment(m.CustomerId, m.PaymentId, m.Amount, m.InvoiceIds, m.ContractId, m.Generation)).ToList(), ct);
        var validity = await ValidityMonthsAsync(messages, ct);

        var postings = new List<LedgerPosting>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var deposited = allocations[i].Deposited;
            var transfer = Postings.Deposit(message.PaymentId, deposited, LotExpiry(message, validity), options.Value.RiskReserveShare,
                invoiced: message.Amount - deposited, message.Generation);
            if (transfer.Legs.Count > 0)
            {
                postings.Add(new LedgerPosting(message.CustomerId, transfer.Id, _ => transfer, CompareReplay: false, $"payment {message.PaymentId}"));
            }
        }

        if (postings.Count > 0 && (await ledger.ApplyManyAsync(postings, ct)).FirstOrDefault(r => r.Refusal is not null).Refusal is { } refusal)
        {
            throw refusal; // a deposit is never refused; if one is, nothing of the batch is kept and each message is retried on its own
        }
    }

    /// <summary>The prepaid validity of the contracts the payments name, in months (one query for all of them).</summary>
    private async Task<Dictionary<Guid, int>> ValidityMonthsAsync(IReadOnlyList<PaymentReceived> messages, CancellationToken ct)
    {
        var ids = messages.Where(m => m.ContractId is not null).Select(m => m.ContractId!.Value).Distinct().ToList();
        return ids.Count == 0
            ? []
            : await Db.Set<Contract>().AsNoTracking().Where(c => ids.Contains(c.Id))
                .Select(c => new { c.Id, c.Terms.PrepaidValidityMonths }).ToDictionaryAsync(c => c.Id, c => c.PrepaidValidityMonths, ct);
    }

    private DateTimeOffset? LotExpiry(PaymentReceived message, Dictionary<Guid, int> validity)
    {
        var received = message.ReceivedAt.ToUniversalTime();
        if (message.ContractId is { } contractId && validity.TryGetValue(contractId, out var months) && months > 0)
        {
            return received.AddMonths(months);
        }

        var days = options.Value.PrepaidValidityDays;
        return days == 0 ? null : received.AddDays(days);
    }
}
