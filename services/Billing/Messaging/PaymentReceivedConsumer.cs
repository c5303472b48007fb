using Microsoft.Extensions.Options;
using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>
/// Deposits every received payment into the customer's prepaid book, once: the inbox records the message, and the
/// transfer id derives from the payment id, so even a re-published event with a new message id cannot deposit twice.
/// </summary>
public sealed class PaymentReceivedConsumer(BillingDb db, TimeProvider clock, PrepaidAccountBook accounts, LedgerStore ledger, IOptions<BillingOptions> options)
    : InboxConsumer<PaymentReceived, BillingDb>(db, clock)
{
    protected override async Task ApplyAsync(PaymentReceived message, CancellationToken ct)
    {
        // A payment may overtake CustomerRegistered: the account opens here then.
        if (await accounts.OpenAsync(message.CustomerId, ct))
        {
            await Db.SaveChangesAsync(ct);
        }

        var validity = options.Value.PrepaidValidityDays;
        DateTimeOffset? expiry = validity == 0 ? null : message.ReceivedAt.ToUniversalTime().AddDays(validity);
        var deposit = Postings.Deposit(message.PaymentId, message.Amount, expiry, options.Value.RiskReserveShare);
        await ledger.ApplyAsync(message.CustomerId, deposit.Id, _ => deposit, compareReplay: false, $"payment {message.PaymentId}", ct);
    }
}
