using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Messaging;

/// <summary>Grants redeemed loyalty points as promotional credit (non-refundable), once per redemption.</summary>
public sealed class LoyaltyCreditRedeemedConsumer(BillingDb db, TimeProvider clock, PrepaidAccountBook accounts, LedgerStore ledger)
    : InboxConsumer<LoyaltyCreditRedeemed, BillingDb>(db, clock)
{
    protected override async Task ApplyAsync(LoyaltyCreditRedeemed message, CancellationToken ct)
    {
        await accounts.EnsureOpenAsync(message.CustomerId, ct);

        var credit = Postings.PromotionalCredit(message.RedemptionId, message.Amount);
        await ledger.ApplyAsync(message.CustomerId, credit, null, $"loyalty redemption {message.RedemptionId}", ct, compareReplay: false);
    }
}
