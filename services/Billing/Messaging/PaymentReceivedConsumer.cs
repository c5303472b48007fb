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
/// apply twice.
/// </summary>
public sealed class PaymentReceivedConsumer(BillingDb db, TimeProvider clock, PrepaidAccountBook accounts, InvoiceService invoices, LedgerStore ledger,
    IOptions<BillingOptions> options) : InboxConsumer<PaymentReceived, BillingDb>(db, clock)
{
    protected override async Task ApplyAsync(PaymentReceived message, CancellationToken ct)
    {
        await accounts.EnsureOpenAsync(message.CustomerId, ct);

        var allocation = await invoices.AllocatePaymentAsync(message.CustomerId, message.PaymentId, message.Amount, message.InvoiceIds, message.ContractId, ct);
        var deposited = allocation.Deposited;
        var expiry = await LotExpiryAsync(message, ct);
        var transfer = Postings.Deposit(message.PaymentId, deposited, expiry, options.Value.RiskReserveShare, invoiced: message.Amount - deposited);
        if (transfer.Legs.Count > 0)
        {
            await ledger.ApplyAsync(message.CustomerId, transfer.Id, _ => transfer, compareReplay: false, $"payment {message.PaymentId}", ct);
        }
    }

    private async Task<DateTimeOffset?> LotExpiryAsync(PaymentReceived message, CancellationToken ct)
    {
        var received = message.ReceivedAt.ToUniversalTime();
        if (message.ContractId is { } contractId
            && await Db.Set<Contract>().AsNoTracking().Where(c => c.Id == contractId).Select(c => (int?)c.Terms.PrepaidValidityMonths).SingleOrDefaultAsync(ct) is { } months
            && months > 0)
        {
            return received.AddMonths(months);
        }

        var days = options.Value.PrepaidValidityDays;
        return days == 0 ? null : received.AddDays(days);
    }
}
