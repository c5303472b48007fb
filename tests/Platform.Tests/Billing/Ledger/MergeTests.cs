using System.Text.Json;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Platform.Testing;
using MergePostings = Platform.Billing.Domain.Ledger.MergePostings;

namespace Platform.Tests.Billing.Ledger;

/// <summary>A customer merge reaching billing: the merged book is handed over to the survivor's by ledger transfers only.</summary>
public sealed class MergeTests(BillingHost host) : IClassFixture<BillingHost>
{
    private static CallOptions System => Tokens.As(Roles.Service);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<Dictionary<LedgerAccount, decimal>> BalancesAsync(Guid customerId) =>
        (await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System))
        .Balances.ToDictionary(b => b.Account, b => b.Balance.ToDecimal());

    private async Task<List<(decimal Remaining, long? Expiry)>> LotsAsync(Guid customerId) =>
        [.. (await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System)).OpenLots
            .Select(l => (l.Remaining.ToDecimal(), l.ExpireTime is null ? (long?)null : l.ExpireTime.ToDateTimeOffset().ToUnixTimeSeconds()))];

    private static CustomersMerged Merge(Guid survivorId, Guid mergedId) => new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, survivorId, mergedId);

    private Task<int> TransferCountAsync(Guid transferId) =>
        host.Billing.QueryAsync<BillingDb, int>(db => db.Set<LedgerTransferRow>().CountAsync(t => t.Id == transferId));

    private async Task<List<PrepaidBalanceChanged>> BalanceEventsAsync(Guid customerId) =>
        [.. (await host.Billing.QueryAsync<BillingDb, List<string>>(db => db.Set<OutboxMessage>()
                .Where(m => m.MessageType == "Platform.Contracts.Events." + nameof(PrepaidBalanceChanged))
                .OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync()))
            .Select(p => JsonSerializer.Deserialize<PrepaidBalanceChanged>(p, Json)!)
            .Where(e => e.CustomerId == customerId)];

    /// <summary>Waits until the consumer applied the message (a refused one is never recorded in the inbox).</summary>
    private async Task HandledAsync(Guid messageId) =>
        await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, bool>(db => db.Set<InboxMessage>().AnyAsync(m => m.MessageId == messageId)), h => h,
            what: $"message {messageId} to be applied");

    private async Task MergedAsync(Guid survivorId, Guid mergedId, decimal survivorAvailable)
    {
        await Eventually.Until(() => host.AvailableAsync(survivorId), a => a == survivorAvailable, what: "the merged money at the survivor");
        await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, bool>(db => db.Set<CustomerMergeRow>().AnyAsync(m => m.MergedId == mergedId)),
            m => m, what: "the redirect");
    }

    [Fact]
    public async Task A_merge_of_books_in_different_currencies_is_refused_and_moves_nothing()
    {
        var survivorId = await host.CustomerWithDepositAsync(100m);
        var mergedId = await host.CustomerWithDepositAsync(200m);
        // An account opened while the configured default currency was another one.
        await host.Billing.QueryAsync<BillingDb, int>(db => db.Database.ExecuteSqlAsync($"UPDATE prepaid_accounts SET currency = 'USD' WHERE customer_id = {mergedId}"));
        var survivorBefore = await BalancesAsync(survivorId);
        var mergedBefore = await BalancesAsync(mergedId);

        await using var scope = host.Billing.Services.CreateAsyncScope();
        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            scope.ServiceProvider.GetRequiredService<CustomerMerges>().MergedAsync(Merge(survivorId, mergedId), CancellationToken.None));

        Assert.Equal("MERGE_CURRENCY_MISMATCH", refused.Reason);
        Assert.Equal(survivorBefore, await BalancesAsync(survivorId));
        Assert.Equal(mergedBefore, await BalancesAsync(mergedId));
        Assert.Equal(0, await TransferCountAsync(MergePostings.OutId(survivorId, mergedId)) + await TransferCountAsync(MergePostings.InId(survivorId, mergedId)));
        Assert.False(await host.Billing.QueryAsync<BillingDb, bool>(db => db.Set<CustomerMergeRow>().AnyAsync(m => m.MergedId == mergedId)));
    }

    [Fact]
    public async Task Merge_moves_prepaid_lots_with_their_expiry_and_promotional_credit_and_both_books_stay_sound()
    {
        var depositedAt = DateTimeOffset.UtcNow.AddDays(-100);
        var mergedId = await host.CustomerWithDepositAsync(1000m, depositedAt);
        await host.PublishAsync(new LoyaltyCreditRedeemed(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), mergedId, 500, 50m, "CNY"));
        await Eventually.Until(() => host.AvailableAsync(mergedId), a => a == 1050m, what: "the promotional credit");
        var survivorId = await host.CustomerWithDepositAsync(200m);
        var survivorLot = Assert.Single(await LotsAsync(survivorId));

        await host.PublishAsync(Merge(survivorId, mergedId));

        await MergedAsync(survivorId, mergedId, 1250m);
        var survivor = await BalancesAsync(survivorId);
        Assert.Equal(1200m, survivor[LedgerAccount.PrepaidCash]);
        Assert.Equal(50m, survivor[LedgerAccount.PromotionalCredit]);
        Assert.Equal(50m, survivor[LedgerAccount.Promotions]);
        Assert.Equal(120m, survivor[LedgerAccount.RiskReserve]); // its own 20 and the merged customer's 100 with the cash they back
        Assert.Equal(
            new[] { (1000m, (long?)depositedAt.AddDays(365).ToUnixTimeSeconds()), survivorLot }.OrderBy(l => l.Item2),
            (await LotsAsync(survivorId)).OrderBy(l => l.Expiry));

        var merged = await BalancesAsync(mergedId);
        Assert.Equal(0m, merged[LedgerAccount.PrepaidCash]);
        Assert.Equal(0m, merged[LedgerAccount.PromotionalCredit]);
        Assert.Equal(0m, merged[LedgerAccount.PaymentsClearing]);
        Assert.Equal(0m, merged[LedgerAccount.RiskReserve]);
        Assert.Empty(await LotsAsync(mergedId));
        await host.AssertSoundAsync(survivorId);
        await host.AssertSoundAsync(mergedId);

        Assert.Contains(await BalanceEventsAsync(mergedId), e => e.Code == MergePostings.OutCode && e.Available == 0m);
        Assert.Contains(await BalanceEventsAsync(survivorId), e => e.Code == MergePostings.InCode && e.Available == 1250m);
    }

    [Fact]
    public async Task Held_funds_and_receivables_move_and_their_later_postings_land_on_the_survivor()
    {
        var mergedId = await host.CustomerWithDepositAsync(500m);
        var survivorId = await host.CustomerWithDepositAsync(100m);
        await host.Ledger.TransferAsync(Transfer(mergedId, "prepaid.held", LedgerAccount.PrepaidCash, LedgerAccount.Held, 200m), System);
        await host.Ledger.TransferAsync(Transfer(mergedId, "invoice.issued", LedgerAccount.Receivable, LedgerAccount.Revenue, 300m), System);

        await host.PublishAsync(Merge(survivorId, mergedId));

        await MergedAsync(survivorId, mergedId, 400m);
        var survivor = await BalancesAsync(survivorId);
        Assert.Equal(200m, survivor[LedgerAccount.Held]);
        Assert.Equal(300m, survivor[LedgerAccount.Receivable]);
        Assert.Equal(300m, survivor[LedgerAccount.Revenue]);

        // The milestone of the merged customer's contract is accepted later: the release posts for the merged id.
        var release = await host.Ledger.TransferAsync(Transfer(mergedId, "prepaid.released", LedgerAccount.Held, LedgerAccount.Revenue, 200m), System);
        Assert.False(release.Replayed);
        Assert.Equal(0m, (await BalancesAsync(survivorId))[LedgerAccount.Held]);
        Assert.Equal(0m, (await BalancesAsync(mergedId))[LedgerAccount.Held]);
        Assert.Equal(0m, (await BalancesAsync(mergedId))[LedgerAccount.Receivable]);
        await host.AssertSoundAsync(survivorId);
        await host.AssertSoundAsync(mergedId);
    }

    [Fact]
    public async Task A_redelivered_or_republished_merge_moves_the_money_once()
    {
        var mergedId = await host.CustomerWithDepositAsync(300m);
        var survivorId = await host.CustomerWithDepositAsync(100m);
        var merge = Merge(survivorId, mergedId);

        await host.PublishAsync(merge);
        await host.PublishAsync(merge); // redelivered: same message id

        var republished = merge with { EventId = Guid.CreateVersion7(), OccurredAt = DateTimeOffset.UtcNow };
        await host.PublishAsync(republished);

        await MergedAsync(survivorId, mergedId, 400m);
        await HandledAsync(merge.EventId);
        await HandledAsync(republished.EventId);
        Assert.Equal(400m, await host.AvailableAsync(survivorId));
        Assert.Equal(1, await TransferCountAsync(MergePostings.OutId(survivorId, mergedId)));
        Assert.Equal(1, await TransferCountAsync(MergePostings.InId(survivorId, mergedId)));
        await host.AssertSoundAsync(survivorId);
        await host.AssertSoundAsync(mergedId);
    }

    [Fact]
    public async Task A_deposit_for_the_merged_customer_after_the_merge_lands_on_the_survivor()
    {
        var mergedId = await host.CustomerWithDepositAsync(100m);
        var survivorId = await host.CustomerWithDepositAsync(100m);
        await host.PublishAsync(Merge(survivorId, mergedId));
        await MergedAsync(survivorId, mergedId, 200m);

        var receivedAt = DateTimeOffset.UtcNow;
        var payment = new PaymentReceived(Guid.CreateVersion7(), receivedAt, Guid.CreateVersion7(), mergedId, 250m, "CNY", "bank_transfer", receivedAt);
        await host.PublishAsync(payment);

        await Eventually.Until(() => host.AvailableAsync(survivorId), a => a == 450m, what: "the later deposit at the survivor");
        Assert.Equal(0m, await host.AvailableAsync(mergedId));
        Assert.Contains((250m, (long?)receivedAt.AddDays(365).ToUnixTimeSeconds()), await LotsAsync(survivorId));

        // Re-published after it was applied to the survivor: applied once.
        var again = payment with { EventId = Guid.CreateVersion7() };
        await host.PublishAsync(again);
        await HandledAsync(again.EventId);
        Assert.Equal(450m, await host.AvailableAsync(survivorId));
        await host.AssertSoundAsync(survivorId);
        await host.AssertSoundAsync(mergedId);
    }

    [Fact]
    public async Task A_deposit_applied_before_the_merge_and_redelivered_after_it_is_not_applied_again()
    {
        var mergedId = Guid.CreateVersion7();
        var payment = new PaymentReceived(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), mergedId, 80m, "CNY", "bank_transfer", DateTimeOffset.UtcNow);
        await host.PublishAsync(payment);
        await Eventually.Until(() => host.AvailableAsync(mergedId), a => a == 80m, what: "the deposit");
        var survivorId = await host.CustomerWithDepositAsync(20m);
        await host.PublishAsync(Merge(survivorId, mergedId));
        await MergedAsync(survivorId, mergedId, 100m);

        var again = payment with { EventId = Guid.CreateVersion7() };
        await host.PublishAsync(again);
        await HandledAsync(again.EventId); // recognised as applied (to the merged book), not refused as a reused id

        Assert.Equal(100m, await host.AvailableAsync(survivorId));
        await host.AssertSoundAsync(survivorId);
    }

    private static TransferRequest Transfer(Guid customerId, string code, LedgerAccount from, LedgerAccount to, decimal amount) => new()
    {
        TransferId = Guid.CreateVersion7().ToString(),
        CustomerId = customerId.ToString(),
        Code = code,
        Legs = { new TransferLeg { From = from, To = to, Amount = amount.ToMoney("CNY") } },
    };

    private async Task<Invoice> IssuedInvoiceAsync(Guid customerId, decimal amount, DateTimeOffset due)
    {
        var invoices = new Invoices.InvoicesClient(host.Billing.Channel);
        var draft = await invoices.CreateInvoiceAsync(new CreateInvoiceRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customerId.ToString(), Description = "maintenance", Amount = amount.ToMoney("CNY"),
            DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(due),
        }, Tokens.As(Roles.FinanceClerk));
        return await invoices.IssueInvoiceAsync(new IssueInvoiceRequest { RequestId = Guid.NewGuid().ToString(), InvoiceId = draft.InvoiceId }, Tokens.As(Roles.FinanceClerk));
    }

    private async Task<(InvoiceState State, decimal Paid)> InvoiceAsync(Invoice invoice)
    {
        var read = await new Invoices.InvoicesClient(host.Billing.Channel).GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = invoice.InvoiceId },
            Tokens.As(Roles.FinanceClerk));
        return (read.State, read.AmountPaid.ToDecimal());
    }

    [Fact]
    public async Task After_a_merge_a_payment_by_either_id_pays_the_open_invoices_of_both_oldest_due_first()
    {
        var mergedId = await host.CustomerWithDepositAsync(10m);
        var survivorId = await host.CustomerWithDepositAsync(10m);
        var now = DateTimeOffset.UtcNow;
        var mergedInvoice = await IssuedInvoiceAsync(mergedId, 300m, now.AddDays(5));
        var survivorInvoice = await IssuedInvoiceAsync(survivorId, 200m, now.AddDays(20));
        await host.PublishAsync(Merge(survivorId, mergedId));
        await MergedAsync(survivorId, mergedId, 20m);
        Assert.Equal(500m, (await BalancesAsync(survivorId)).GetValueOrDefault(LedgerAccount.Receivable)); // both receivables are the survivor's now

        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), survivorId, 400m, "CNY", "bank_transfer", now));
        await Eventually.Until(() => InvoiceAsync(survivorInvoice), i => i.Paid == 100m, what: "the rest of the survivor's payment on its own invoice");
        Assert.Equal((InvoiceState.Paid, 300m), await InvoiceAsync(mergedInvoice)); // due first, though issued to the merged id

        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), mergedId, 100m, "CNY", "bank_transfer", now));
        await Eventually.Until(() => InvoiceAsync(survivorInvoice), i => i.State == InvoiceState.Paid, what: "the merged id's payment on the survivor's invoice");

        var balances = await BalancesAsync(survivorId);
        Assert.Equal((0m, 20m), (balances.GetValueOrDefault(LedgerAccount.Receivable), await host.AvailableAsync(survivorId)));
        await host.AssertSoundAsync(survivorId);
        await host.AssertSoundAsync(mergedId);
    }
}
