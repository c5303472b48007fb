using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Invoice = Platform.Billing.Commerce.Domain.Invoice;
using InvoiceState = Platform.Billing.Commerce.Domain.InvoiceState;
using Receipt = Platform.Billing.Commerce.Domain.Receipt;
using LedgerAccount = Platform.Billing.Domain.Ledger.LedgerAccount;

namespace Platform.Tests.Billing.Ledger;

/// <summary>
/// Billing's side of money that came in and turns out not to be there (<see cref="PaymentReversed"/>), with events
/// published on billing's bus as payment sends them: the deposit is taken back once per (payment, generation), what was
/// spent or paid invoices becomes receivable on an invoice, and a payment announced again deposits once.
/// </summary>
public sealed class ReversalTests(BillingHost host) : IClassFixture<BillingHost>
{
    private static CallOptions System => Tokens.As(Roles.Service);

    private static readonly CallOptions Clerk = Tokens.AsUser("alice", Roles.FinanceClerk);
    private static readonly CallOptions Approver = Tokens.AsUser("bob", Roles.FinanceApprover);

    private Invoices.InvoicesClient Invoices => new(host.Billing.Channel);

    private Refunds.RefundsClient Refunds => new(host.Billing.Channel);

    private static PaymentReceived Received(Guid paymentId, Guid customerId, decimal amount, int generation = 0, params Guid[] invoiceIds) =>
        new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, paymentId, customerId, amount, "CNY", "cheque", DateTimeOffset.UtcNow, null,
            invoiceIds.Length > 0 ? invoiceIds : null, generation);

    private static PaymentReversed Reversed(Guid paymentId, Guid customerId, decimal amount, string reason, int generation = 0) =>
        new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, paymentId, customerId, amount, "CNY", "cheque", generation, reason,
            reason == PaymentReversed.Bounced ? "returned: insufficient funds" : "is not known to the customer service");

    private Task<Dictionary<LedgerAccount, decimal>> BalancesAsync(Guid customerId) =>
        host.Billing.QueryAsync<BillingDb, Dictionary<LedgerAccount, decimal>>(async db =>
            Platform.Billing.Application.LedgerStore.BalancesOf(await db.PrepaidAccounts.AsNoTracking().SingleAsync(a => a.CustomerId == customerId))
                .ToDictionary(b => b.Key, b => b.Value));

    private Task<bool> ConsumedAsync(Guid messageId, string consumer) => host.Billing.QueryAsync<BillingDb, bool>(db =>
        db.Set<InboxMessage>().AnyAsync(m => m.MessageId == messageId && m.Consumer == consumer));

    private async Task WaitConsumedAsync(IIntegrationEvent evt, string consumer) =>
        await Eventually.Until(() => ConsumedAsync(evt.EventId, consumer), done => done, what: $"{evt.GetType().Name} {evt.EventId} to be consumed");

    private Task<List<Receipt>> ReceiptsAsync(Guid paymentId) => host.Billing.QueryAsync<BillingDb, List<Receipt>>(db =>
        db.Set<Receipt>().AsNoTracking().Where(r => r.PaymentId == paymentId).OrderBy(r => r.Generation).ToListAsync());

    private Task<List<Invoice>> InvoicesOfAsync(Guid customerId) => host.Billing.QueryAsync<BillingDb, List<Invoice>>(db =>
        db.Set<Invoice>().AsNoTracking().Where(i => i.CustomerId == customerId).OrderBy(i => i.CreatedAt).ToListAsync());

    private Task<int> TransfersAsync(Guid customerId, string code) => host.Billing.QueryAsync<BillingDb, int>(db =>
        db.Set<LedgerTransferRow>().CountAsync(t => t.CustomerId == customerId && t.Code == code));

    /// <summary>The payloads of billing's outbox of one event type containing all of <paramref name="parts"/>.</summary>
    private async Task<List<string>> OutboxAsync(string eventName, params string[] parts) =>
        (await host.Billing.QueryAsync<BillingDb, List<string>>(db => db.Set<OutboxMessage>()
            .Where(m => m.MessageType == "Platform.Contracts.Events." + eventName).Select(m => m.Payload).ToListAsync()))
        .Where(p => parts.All(part => p.Contains(part, StringComparison.Ordinal))).ToList();

    private async Task<Guid> IssuedInvoiceAsync(Guid customerId, decimal amount)
    {
        var draft = await Invoices.CreateInvoiceAsync(new CreateInvoiceRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customerId.ToString(),
            Description = "maintenance, November",
            Amount = amount.ToMoney("CNY"),
            DueTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)),
        }, Tokens.As(Roles.FinanceClerk));
        await Invoices.IssueInvoiceAsync(new IssueInvoiceRequest { RequestId = Guid.NewGuid().ToString(), InvoiceId = draft.InvoiceId }, Tokens.As(Roles.FinanceClerk));
        return Guid.Parse(draft.InvoiceId);
    }

    /// <summary>Deposits 300 received 100 days ago (its lot expires 265 days from now); answers when it was received.</summary>
    private async Task<DateTimeOffset> DepositedEarlierAsync(Guid customer, string what)
    {
        var earlier = DateTimeOffset.UtcNow.AddDays(-100);
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), customer, 300m, "CNY", "bank_transfer",
            earlier, null, null, 0));
        await Eventually.Until(() => host.AvailableAsync(customer), a => a == 300m, what: what);
        return earlier;
    }

    /// <summary>The earlier 300 is the customer's only money, whole, with its own expiry; nothing is owed; the books are sound.</summary>
    private async Task AssertOnlyTheEarlierLotLeftAsync(Guid customer, DateTimeOffset earlier)
    {
        var balances = await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customer.ToString() }, System);
        var lot = Assert.Single(balances.OpenLots);
        Assert.Equal((300m, 300m), (lot.Original.ToDecimal(), lot.Remaining.ToDecimal()));
        Assert.Equal(earlier.AddDays(365).ToUnixTimeSeconds(), lot.ExpireTime.ToDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(300m, await host.AvailableAsync(customer));
        Assert.Empty(await InvoicesOfAsync(customer));
        await host.AssertSoundAsync(customer);
    }

    [Fact]
    public async Task A_cleared_cheque_that_bounces_is_taken_back_once_and_what_was_spent_or_paid_invoices_is_owed_on_an_invoice()
    {
        // A cheque of 1000 pays an invoice of 400 and deposits 600 (reserve share 10%: 60); 250 of the deposit is spent.
        var customer = Guid.CreateVersion7();
        var invoice = await IssuedInvoiceAsync(customer, 400m);
        var payment = Guid.CreateVersion7();
        var cleared = Received(payment, customer, 1000m, 0, invoice);
        await host.PublishAsync(cleared);
        await Eventually.Until(() => host.AvailableAsync(customer), a => a == 600m, what: "the deposit");
        await host.Ledger.TransferAsync(BillingHost.Consume(customer, 250m), System);
        var before = await BalancesAsync(customer);
        Assert.Equal((0m, 350m, 60m, 940m), (before[LedgerAccount.Receivable], before[LedgerAccount.PrepaidCash], before[LedgerAccount.RiskReserve],
            before[LedgerAccount.PaymentsClearing]));

        var bounced = Reversed(payment, customer, 1000m, PaymentReversed.Bounced);
        await host.PublishAsync(bounced);
        await WaitConsumedAsync(bounced, "PaymentReversedConsumer");

        // The reserve share is back, prepaid cash gives what it still holds (350), and 400 + 250 is owed again.
        var after = await BalancesAsync(customer);
        Assert.Equal((650m, 0m, 0m, 0m), (after[LedgerAccount.Receivable], after[LedgerAccount.PrepaidCash], after[LedgerAccount.RiskReserve],
            after[LedgerAccount.PaymentsClearing]));
        Assert.Equal(0m, await host.AvailableAsync(customer));
        await host.AssertSoundAsync(customer);
        var invoices = await InvoicesOfAsync(customer);
        Assert.Equal(InvoiceState.Paid, invoices.Single(i => i.Id == invoice).State); // paid is final; the debt is on a new invoice
        var owed = Assert.Single(invoices, i => i.Id != invoice);
        Assert.Equal((InvoiceState.Open, 650m, 0m, false), (owed.State, owed.Amount, owed.AmountPaid, owed.Prepayment));
        Assert.NotNull(owed.Number);
        var receipt = Assert.Single(await ReceiptsAsync(payment));
        Assert.Equal(("bounced", 1000m), (receipt.ReversalReason, receipt.Amount));
        Assert.NotNull(receipt.ReversedAt);
        Assert.Single(await OutboxAsync("PrepaidBalanceChanged", customer.ToString(), "payment.reversed"));
        Assert.Single(await OutboxAsync("InvoiceIssued", owed.Id.ToString()));

        // Redelivered (same message id) and re-published (a new event id): applied once.
        var republished = bounced with { EventId = Guid.CreateVersion7() };
        await host.PublishAsync(bounced);
        await host.PublishAsync(republished);
        await WaitConsumedAsync(republished, "PaymentReversedConsumer");
        Assert.Equal(after, await BalancesAsync(customer));
        Assert.Equal(1, await TransfersAsync(customer, "payment.reversed"));
        Assert.Equal(2, (await InvoicesOfAsync(customer)).Count);

        // The customer pays what is owed: the receivable is settled like any invoice's.
        var settles = Received(Guid.CreateVersion7(), customer, 650m);
        await host.PublishAsync(settles);
        await WaitConsumedAsync(settles, "PaymentReceivedConsumer");
        Assert.Equal(0m, (await BalancesAsync(customer))[LedgerAccount.Receivable]);
        Assert.Equal(InvoiceState.Paid, (await InvoicesOfAsync(customer)).Single(i => i.Id == owed.Id).State);
        await host.AssertSoundAsync(customer);
    }

    private async Task<string> RequestRefundAsync(Guid customerId, decimal amount) =>
        (await Refunds.RequestRefundAsync(new RequestRefundRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customerId.ToString(), Amount = amount.ToMoney("CNY"), Reason = "service cancelled",
        }, Clerk)).RefundId;

    private async Task<string> ApprovedRefundAsync(Guid customerId, decimal amount)
    {
        var refundId = await RequestRefundAsync(customerId, amount);
        await Refunds.ApproveRefundAsync(new DecideRefundRequest { RequestId = Guid.NewGuid().ToString(), RefundId = refundId }, Approver);
        return refundId;
    }

    private async Task PaidOutAsync(Guid customerId, string refundId, decimal amount)
    {
        await host.PublishAsync(new RefundPaid(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.Parse(refundId), customerId, amount, "CNY"));
        await Eventually.Until(async () => await Refunds.GetRefundAsync(new GetRefundRequest { RefundId = refundId }, Clerk),
            r => r.State == Contracts.Billing.V1.RefundState.Paid, what: "RefundPaid to settle the refund");
    }

    /// <summary>No balance below zero, but clearing, which may be short by no more than the customer owes.</summary>
    private static void AssertFloors(Dictionary<LedgerAccount, decimal> balances)
    {
        Assert.All(balances.Where(b => b.Key != LedgerAccount.PaymentsClearing), b => Assert.True(b.Value >= 0, $"{b.Key} is {b.Value}"));
        Assert.True(balances[LedgerAccount.PaymentsClearing] + balances[LedgerAccount.Receivable] >= 0);
    }

    [Fact]
    public async Task A_deposit_partly_refunded_and_paid_out_is_taken_back_once_and_the_refund_is_owed_with_the_spending()
    {
        // A cheque of 1000 deposits (reserve 100); 100 is spent, 300 refunded and paid out; then the cheque bounces.
        var customer = Guid.CreateVersion7();
        var payment = Guid.CreateVersion7();
        await host.PublishAsync(Received(payment, customer, 1000m));
        await Eventually.Until(() => host.AvailableAsync(customer), a => a == 1000m, what: "the deposit");
        await host.Ledger.TransferAsync(BillingHost.Consume(customer, 100m), System);
        var refundId = await ApprovedRefundAsync(customer, 300m);
        await PaidOutAsync(customer, refundId, 300m);
        var before = await BalancesAsync(customer);
        Assert.Equal((600m, 600m, 100m), (before[LedgerAccount.PrepaidCash], before[LedgerAccount.PaymentsClearing], before[LedgerAccount.RiskReserve]));

        var bounced = Reversed(payment, customer, 1000m, PaymentReversed.Bounced);
        await host.PublishAsync(bounced);
        await WaitConsumedAsync(bounced, "PaymentReversedConsumer");

        // Applied, not refused: prepaid cash gives its 600, the reserve is released, and 100 spent + 300 refunded is owed;
        // clearing is short by the 300 paid out of money that never came in, backed by that receivable.
        var after = await BalancesAsync(customer);
        Assert.Equal((0m, 0m, 0m, 400m, -300m), (after[LedgerAccount.PrepaidCash], after[LedgerAccount.RiskReserve], after[LedgerAccount.RefundsPayable],
            after[LedgerAccount.Receivable], after[LedgerAccount.PaymentsClearing]));
        AssertFloors(after);
        await host.AssertSoundAsync(customer);
        var recorded = await host.Billing.QueryAsync<BillingDb, DepositReversal>(db => db.Set<DepositReversal>().AsNoTracking().SingleAsync(r => r.PaymentId == payment));
        Assert.Equal(400m, recorded.Owed);
        var owed = Assert.Single(await InvoicesOfAsync(customer));
        Assert.Equal((InvoiceState.Open, 400m, recorded.InvoiceId), (owed.State, owed.Amount, (Guid?)owed.Id));

        // Redelivered and re-published: changes nothing.
        await host.PublishAsync(bounced);
        var republished = bounced with { EventId = Guid.CreateVersion7() };
        await host.PublishAsync(republished);
        await WaitConsumedAsync(republished, "PaymentReversedConsumer");
        Assert.Equal(after, await BalancesAsync(customer));
        Assert.Equal(1, await TransfersAsync(customer, "payment.reversed"));
        Assert.Single(await InvoicesOfAsync(customer));

        // The customer pays the invoice: nothing is owed, and clearing holds the money that paid for what was spent.
        var settles = Received(Guid.CreateVersion7(), customer, 400m);
        await host.PublishAsync(settles);
        await WaitConsumedAsync(settles, "PaymentReceivedConsumer");
        var settled = await BalancesAsync(customer);
        Assert.Equal((0m, 100m, 100m), (settled[LedgerAccount.Receivable], settled[LedgerAccount.PaymentsClearing], settled[LedgerAccount.Revenue]));
        await host.AssertSoundAsync(customer);
    }

    [Fact]
    public async Task Refunds_not_yet_paid_out_a_requested_one_is_refused_at_approval_and_an_approved_ones_payout_still_applies()
    {
        var customer = Guid.CreateVersion7();
        var payment = Guid.CreateVersion7();
        await host.PublishAsync(Received(payment, customer, 1000m));
        await Eventually.Until(() => host.AvailableAsync(customer), a => a == 1000m, what: "the deposit");
        var approved = await ApprovedRefundAsync(customer, 400m);
        var requested = await RequestRefundAsync(customer, 200m);

        var bounced = Reversed(payment, customer, 1000m, PaymentReversed.Bounced);
        await host.PublishAsync(bounced);
        await WaitConsumedAsync(bounced, "PaymentReversedConsumer");
        var after = await BalancesAsync(customer);
        Assert.Equal((0m, 400m, 400m, 0m), (after[LedgerAccount.PrepaidCash], after[LedgerAccount.RefundsPayable], after[LedgerAccount.Receivable],
            after[LedgerAccount.PaymentsClearing]));
        await host.AssertSoundAsync(customer);

        // The request made before the reversal is not refundable any more.
        var refused = await Assert.ThrowsAsync<RpcException>(() => Refunds.ApproveRefundAsync(
            new DecideRefundRequest { RequestId = Guid.NewGuid().ToString(), RefundId = requested }, Approver).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "REFUND_EXCEEDS_REFUNDABLE"), (refused.StatusCode, refused.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Reason));

        // Payment pays the approved one out (it was already on its way): billing books it; the customer owes it.
        await PaidOutAsync(customer, approved, 400m);
        var paid = await BalancesAsync(customer);
        Assert.Equal((0m, 400m, -400m), (paid[LedgerAccount.RefundsPayable], paid[LedgerAccount.Receivable], paid[LedgerAccount.PaymentsClearing]));
        AssertFloors(paid);
        await host.AssertSoundAsync(customer);
    }

    [Fact]
    public async Task Reversing_the_later_of_two_deposits_leaves_the_earlier_lot_with_its_own_expiry()
    {
        // Validity 365 days: the first deposit expires in 265 days, the second (reversed) in 365.
        var customer = Guid.CreateVersion7();
        var earlier = await DepositedEarlierAsync(customer, "the first deposit");
        var payment = Guid.CreateVersion7();
        await host.PublishAsync(Received(payment, customer, 500m));
        await Eventually.Until(() => host.AvailableAsync(customer), a => a == 800m, what: "the second deposit");

        var bounced = Reversed(payment, customer, 500m, PaymentReversed.Bounced);
        await host.PublishAsync(bounced);
        await WaitConsumedAsync(bounced, "PaymentReversedConsumer");

        await AssertOnlyTheEarlierLotLeftAsync(customer, earlier);
    }

    [Fact]
    public async Task A_deposit_reversed_after_its_customer_was_merged_draws_on_its_moved_lot_and_the_survivor_s_own_lot_keeps_its_expiry()
    {
        // The survivor's own 300 expires in 265 days; the merged customer's 500 (reversed after the merge) in 365.
        var survivor = Guid.CreateVersion7();
        var earlier = await DepositedEarlierAsync(survivor, "the survivor's deposit");
        var merged = Guid.CreateVersion7();
        var payment = Guid.CreateVersion7();
        await host.PublishAsync(Received(payment, merged, 500m));
        await Eventually.Until(() => host.AvailableAsync(merged), a => a == 500m, what: "the merged customer's deposit");
        await host.PublishAsync(new CustomersMerged(Guid.CreateVersion7(), DateTimeOffset.UtcNow, survivor, merged));
        await Eventually.Until(() => host.AvailableAsync(survivor), a => a == 800m, what: "the merged money at the survivor");

        var bounced = Reversed(payment, merged, 500m, PaymentReversed.Bounced);
        await host.PublishAsync(bounced);
        await WaitConsumedAsync(bounced, "PaymentReversedConsumer");

        await AssertOnlyTheEarlierLotLeftAsync(survivor, earlier);
        await host.AssertSoundAsync(merged);
    }

    [Fact]
    public async Task A_payer_found_not_to_be_a_customer_loses_the_deposit_and_the_match_deposits_once_to_the_right_customer()
    {
        var stranger = Guid.CreateVersion7();
        var customer = Guid.CreateVersion7();
        var payment = Guid.CreateVersion7();
        var first = Received(payment, stranger, 500m);
        await host.PublishAsync(first);
        await Eventually.Until(() => host.AvailableAsync(stranger), a => a == 500m, what: "the deposit under the stranger's id");

        var reversed = Reversed(payment, stranger, 500m, PaymentReversed.PayerNotACustomer);
        await host.PublishAsync(reversed);
        await WaitConsumedAsync(reversed, "PaymentReversedConsumer");
        var strangers = await BalancesAsync(stranger);
        Assert.Equal((0m, 0m, 0m, 0m), (strangers[LedgerAccount.PrepaidCash], strangers[LedgerAccount.RiskReserve],
            strangers[LedgerAccount.PaymentsClearing], strangers[LedgerAccount.Receivable]));
        Assert.Empty(await InvoicesOfAsync(stranger)); // nothing was spent: nothing is owed
        await host.AssertSoundAsync(stranger);

        // Matched to the right customer: announced again as generation 1, deposited; then the old announcement comes
        // again, redelivered and re-published.
        var matched = Received(payment, customer, 500m, generation: 1);
        await host.PublishAsync(matched);
        await Eventually.Until(() => host.AvailableAsync(customer), a => a == 500m, what: "the deposit for the right customer");
        var republished = first with { EventId = Guid.CreateVersion7() };
        await host.PublishAsync(first);
        await host.PublishAsync(republished);
        var matchedAgain = matched with { EventId = Guid.CreateVersion7() };
        await host.PublishAsync(matchedAgain);
        await WaitConsumedAsync(republished, "PaymentReceivedConsumer");
        await WaitConsumedAsync(matchedAgain, "PaymentReceivedConsumer");

        Assert.Equal(0m, await host.AvailableAsync(stranger));
        Assert.Equal(500m, await host.AvailableAsync(customer));
        Assert.Equal(50m, (await BalancesAsync(customer))[LedgerAccount.RiskReserve]);
        Assert.Equal((1, 1), (await TransfersAsync(stranger, "prepaid.deposit"), await TransfersAsync(customer, "prepaid.deposit")));
        var receipts = await ReceiptsAsync(payment);
        Assert.Equal(new[] { (0, stranger, true), (1, customer, false) }, receipts.Select(r => (r.Generation, r.CustomerId, r.ReversedAt is not null)));
        Assert.NotEqual(receipts[0].Number, receipts[1].Number);
        await host.AssertSoundAsync(stranger);
        await host.AssertSoundAsync(customer);
    }

    [Fact]
    public async Task A_reversal_that_overtakes_its_announcement_leaves_that_announcement_undeposited()
    {
        var stranger = Guid.CreateVersion7();
        var payment = Guid.CreateVersion7();
        var reversed = Reversed(payment, stranger, 300m, PaymentReversed.PayerNotACustomer);
        await host.PublishAsync(reversed);
        await WaitConsumedAsync(reversed, "PaymentReversedConsumer");

        var late = Received(payment, stranger, 300m);
        await host.PublishAsync(late);
        await WaitConsumedAsync(late, "PaymentReceivedConsumer");

        Assert.Equal(-1m, await host.AvailableAsync(stranger)); // no account was even opened for it
        Assert.Empty(await ReceiptsAsync(payment));
        var recorded = await host.Billing.QueryAsync<BillingDb, DepositReversal>(db => db.Set<DepositReversal>().AsNoTracking().SingleAsync(r => r.PaymentId == payment));
        Assert.Equal((0, (Guid?)null, 0m), (recorded.Generation, recorded.TransferId, recorded.Owed));
    }
}
