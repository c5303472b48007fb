using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.Billing.Messaging;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

using Account = Platform.Billing.Domain.Ledger.LedgerAccount;
using LedgerAccount = Platform.Contracts.Billing.V1.LedgerAccount;

namespace Platform.Tests.Billing.Ledger;

/// <summary>The stored prepaid ledger over gRPC and events, against the real PostgreSQL and RabbitMQ.</summary>
public sealed class LedgerTests(BillingHost host) : IClassFixture<BillingHost>
{
    private static CallOptions System => Tokens.As(Roles.Service);

    private static PaymentReceived Payment(Guid customerId, decimal amount, DateTimeOffset? receivedAt = null, Guid? paymentId = null) =>
        new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, paymentId ?? Guid.CreateVersion7(), customerId, amount, "CNY", "bank_transfer",
            receivedAt ?? DateTimeOffset.UtcNow);

    private async Task<Dictionary<LedgerAccount, decimal>> BalancesAsync(Guid customerId) =>
        (await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System))
        .Balances.ToDictionary(b => b.Account, b => b.Balance.ToDecimal());

    private Task<int> EntryCountAsync(Guid customerId) =>
        host.Billing.QueryAsync<BillingDb, int>(db => db.Set<LedgerEntryRow>().CountAsync(e => e.CustomerId == customerId));

    /// <summary>
    /// Deposits draw on no lot, so the store does not read the customer's open lots for them; what it writes must still
    /// be the book the rules make: new lots beside the earlier ones, spent soonest-expiring first afterwards.
    /// </summary>
    [Fact]
    public async Task Deposits_add_their_lots_beside_the_earlier_ones_and_spending_then_takes_the_soonest_expiring_first()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var customerId = await host.CustomerWithDepositAsync(100m, now.AddDays(30 - 365)); // a lot of 100 expiring in 30 days
        var soon = Postings.Deposit(Guid.CreateVersion7(), 50m, now.AddDays(10), reserveShare: 0m);
        var late = Postings.Deposit(Guid.CreateVersion7(), 70m, now.AddDays(300), reserveShare: 0m);
        var postings = new[] { LedgerPosting.Known(customerId, soon, compareReplay: false, "test"), LedgerPosting.Known(customerId, late, compareReplay: false, "test") };
        Assert.All(postings, p => Assert.False(p.DrawsOnLots));

        Assert.All(await host.PostAsync(postings), r => Assert.NotNull(r.Applied));

        await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 120m), System);

        var lots = await host.Billing.QueryAsync<BillingDb, List<PrepaidLotRow>>(db =>
            db.Set<PrepaidLotRow>().AsNoTracking().Where(l => l.CustomerId == customerId).OrderBy(l => l.ExpiresAt).ToListAsync());
        Assert.Equal([(0m, 50m), (30m, 100m), (70m, 70m)], lots.Select(l => (l.Remaining, l.Original)));
        Assert.Equal(3, lots.Select(l => l.Id).Distinct().Count());
        Assert.Equal(100m, await host.AvailableAsync(customerId));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task A_posting_that_says_it_draws_on_no_lot_but_debits_prepaid_cash_is_refused_before_anything_is_written()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);
        var entries = await EntryCountAsync(customerId);
        var spend = new Transfer(Guid.CreateVersion7(), "prepaid.consumed", [new Leg(Account.PrepaidCash, Account.Revenue, 10m)]);
        var posting = new LedgerPosting(customerId, spend.Id, _ => spend, CompareReplay: true, "test") { DrawsOnLots = false };

        await Assert.ThrowsAsync<InvalidOperationException>(() => host.PostAsync(posting));

        Assert.True(LedgerPosting.Known(customerId, spend, compareReplay: true, "test").DrawsOnLots);
        Assert.Equal(100m, await host.AvailableAsync(customerId));
        Assert.Equal(entries, await EntryCountAsync(customerId));
    }

    [Fact]
    public async Task Payment_received_is_deposited_once_with_the_reserve_share_set_aside()
    {
        var customerId = Guid.CreateVersion7();
        var payment = Payment(customerId, 1000m);

        var republished = payment with { EventId = Guid.CreateVersion7() };
        await host.PublishAsync(payment);
        await host.PublishAsync(payment); // redelivered: same message id
        await host.PublishAsync(republished); // re-published under a new message id

        await Eventually.Until(() => host.AvailableAsync(customerId), a => a == 1000m, what: "the deposit");
        Guid[] ids = [payment.EventId, republished.EventId];
        await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, int>(db => db.Set<InboxMessage>()
                .CountAsync(m => ids.Contains(m.MessageId) && m.Consumer == nameof(PaymentReceivedConsumer))),
            n => n == 2, what: "both message ids to be handled");
        var balances = await BalancesAsync(customerId);
        Assert.Equal(1000m, balances[LedgerAccount.PrepaidCash]);
        Assert.Equal(100m, balances[LedgerAccount.RiskReserve]);
        Assert.Equal(900m, balances[LedgerAccount.PaymentsClearing]);
        Assert.Equal(4, await EntryCountAsync(customerId)); // two legs, two sides each
        var lots = (await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System)).OpenLots;
        var lot = Assert.Single(lots);
        Assert.Equal(payment.ReceivedAt.AddDays(365).ToUnixTimeSeconds(), lot.ExpireTime.ToDateTimeOffset().ToUnixTimeSeconds());
        var balance = await host.PrepaidAccounts.GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customerId.ToString() }, System);
        Assert.Equal(1000m, balance.Available.ToDecimal());
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Same_transfer_id_answers_the_first_result_and_different_content_is_refused_naming_the_field()
    {
        var customerId = await host.CustomerWithDepositAsync(500m);
        var transferId = Guid.CreateVersion7();

        var first = await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 120m, transferId), System);
        var again = await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 120m, transferId), System);
        var entries = await EntryCountAsync(customerId);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 130m, transferId), System));

        Assert.False(first.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(380m, again.Balances.Available.ToDecimal());
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("legs[0].amount", Assert.Single(e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
        Assert.Equal(entries, await EntryCountAsync(customerId));
        Assert.Equal(380m, await host.AvailableAsync(customerId));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Invalid_transfers_name_every_field_and_write_nothing()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);
        var entries = await EntryCountAsync(customerId);
        var request = new TransferRequest
        {
            TransferId = "not-a-uuid",
            CustomerId = customerId.ToString(),
            Code = "",
            Legs =
            {
                new TransferLeg { From = LedgerAccount.PrepaidCash, To = LedgerAccount.Unspecified, Amount = (-5m).ToMoney("CNY") },
                new TransferLeg { From = LedgerAccount.PrepaidCash, To = LedgerAccount.Revenue, Amount = 1.00001m.ToMoney("CNY") },
                new TransferLeg { From = LedgerAccount.PrepaidCash, To = LedgerAccount.Revenue, Amount = 1m.ToMoney("USD") },
            },
        };

        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Ledger.TransferAsync(request, System));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(
            ["transfer_id", "code", "legs[0].to", "legs[0].amount", "legs[1].amount", "legs[2].amount.currency_code"],
            e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).Distinct());
        Assert.Equal(entries, await EntryCountAsync(customerId));
    }

    [Fact]
    public async Task Overdraft_is_refused_as_a_failed_precondition_and_changes_nothing()
    {
        var customerId = await host.CustomerWithDepositAsync(50m);
        var entries = await EntryCountAsync(customerId);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 50.0001m), System));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("INSUFFICIENT_BALANCE", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(entries, await EntryCountAsync(customerId));
        Assert.Equal(50m, await host.AvailableAsync(customerId));
    }

    [Fact]
    public async Task Parallel_transfers_against_one_account_never_overdraw_it()
    {
        var customerId = await host.CustomerWithDepositAsync(200m);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            try
            {
                await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 7m), Tokens.As(Roles.Service));
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Equal(28, outcomes.Count(s => s == StatusCode.OK)); // 28 × 7 = 196 ≤ 200 < 29 × 7
        Assert.All(outcomes.Where(s => s != StatusCode.OK), s => Assert.Equal(StatusCode.FailedPrecondition, s));
        Assert.Equal(4m, await host.AvailableAsync(customerId));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Spending_takes_the_soonest_expiring_lot_first()
    {
        var customerId = await host.CustomerWithDepositAsync(100m, DateTimeOffset.UtcNow.AddDays(-300)); // expires in ~65 days
        await host.PublishAsync(Payment(customerId, 100m, DateTimeOffset.UtcNow)); // expires in ~365 days
        await Eventually.Until(() => host.AvailableAsync(customerId), a => a == 200m, what: "the second deposit");

        await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 130m), System);

        var lots = (await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System)).OpenLots;
        var lot = Assert.Single(lots);
        Assert.Equal(70m, lot.Remaining.ToDecimal());
        Assert.True(lot.ExpireTime.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(300));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Entries_are_append_only_and_page_newest_first()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);
        for (var i = 0; i < 3; i++)
        {
            await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 10m), System);
        }

        var pages = new List<ListLedgerEntriesResponse>();
        var token = "";
        do
        {
            var page = await host.Ledger.ListLedgerEntriesAsync(new ListLedgerEntriesRequest { CustomerId = customerId.ToString(), PageSize = 4, PageToken = token }, System);
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        var cash = await host.Ledger.ListLedgerEntriesAsync(
            new ListLedgerEntriesRequest { CustomerId = customerId.ToString(), Account = LedgerAccount.PrepaidCash }, System);

        Assert.Equal([4, 4, 2], pages.Select(p => p.Entries.Count)); // deposit: 2 legs × 2 sides; 3 consumptions × 2 sides
        Assert.Equal(10, pages.SelectMany(p => p.Entries).Select(x => (x.TransferId, x.Leg, x.Debit)).Distinct().Count());
        Assert.Equal("prepaid.consumed", pages[0].Entries[0].Code);
        Assert.Equal([70m, 80m, 90m, 100m], cash.Entries.Select(x => x.BalanceAfter.ToDecimal()));
        var update = await Assert.ThrowsAnyAsync<Exception>(() => host.Billing.QueryAsync<BillingDb, int>(db =>
            db.Database.ExecuteSqlAsync($"UPDATE ledger_entries SET amount = amount + 1 WHERE customer_id = {customerId}")));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        var delete = await Assert.ThrowsAnyAsync<Exception>(() => host.Billing.QueryAsync<BillingDb, int>(db =>
            db.Database.ExecuteSqlAsync($"DELETE FROM ledger_transfers WHERE customer_id = {customerId}")));
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_platform_services_post_transfers()
    {
        var customerId = await host.CustomerWithDepositAsync(10m);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Ledger.TransferAsync(BillingHost.Consume(customerId, 1m), Tokens.As(Roles.FinanceClerk)));

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal(10m, await host.AvailableAsync(customerId));
    }

    [Fact]
    public async Task Transfer_for_an_unknown_customer_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Ledger.TransferAsync(BillingHost.Consume(Guid.CreateVersion7(), 1m), System));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task Lot_expiry_is_kept_in_utc()
    {
        var customerId = await host.CustomerWithDepositAsync(10m);
        var expiry = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(3));
        var request = new TransferRequest
        {
            TransferId = Guid.CreateVersion7().ToString(),
            CustomerId = customerId.ToString(),
            Code = "prepaid.topped_up",
            Legs = { new TransferLeg { From = LedgerAccount.PaymentsClearing, To = LedgerAccount.PrepaidCash, Amount = 5m.ToMoney("CNY"), LotExpireTime = expiry } },
        };

        await host.Ledger.TransferAsync(request, System);

        var lots = (await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System)).OpenLots;
        Assert.Equal(expiry.Seconds, lots[0].ExpireTime.Seconds);
        await host.AssertSoundAsync(customerId);
    }

    private async Task<Invoice> IssuedInvoiceAsync(Guid customerId, string description, decimal amount)
    {
        var invoices = new Invoices.InvoicesClient(host.Billing.Channel);
        var finance = Tokens.As(Roles.FinanceClerk);
        var draft = await invoices.CreateInvoiceAsync(new CreateInvoiceRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customerId.ToString(), Description = description,
            Amount = amount.ToMoney("CNY"), DueTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(10)),
        }, finance);
        return await invoices.IssueInvoiceAsync(new IssueInvoiceRequest { RequestId = Guid.NewGuid().ToString(), InvoiceId = draft.InvoiceId }, finance);
    }

    [Fact]
    public async Task Payment_naming_an_invoice_pays_it_and_deposits_the_rest()
    {
        var customerId = await host.CustomerWithDepositAsync(10m);
        var (invoices, finance) = (new Invoices.InvoicesClient(host.Billing.Channel), Tokens.As(Roles.FinanceClerk));
        var draft = await IssuedInvoiceAsync(customerId, "installment 1 of 3", 300m);
        var billed = await BalancesAsync(customerId);
        Assert.Equal((300m, 300m), (billed[LedgerAccount.Receivable], billed[LedgerAccount.Revenue]));

        await host.PublishAsync(Payment(customerId, 500m) with { InvoiceIds = [Guid.Parse(draft.InvoiceId)] });

        await Eventually.Until(() => host.AvailableAsync(customerId), a => a == 210m, what: "the rest of the payment to be deposited");
        var invoice = await invoices.GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = draft.InvoiceId }, finance);
        Assert.Equal(InvoiceState.Paid, invoice.State);
        var balances = await BalancesAsync(customerId);
        Assert.Equal((0m, 300m), (balances[LedgerAccount.Receivable], balances[LedgerAccount.Revenue]));
        Assert.Equal(21m, balances[LedgerAccount.RiskReserve]); // 10% of the deposited parts (10 + 200), not of the invoice payment
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Voided_invoice_is_no_longer_owed_nor_revenue()
    {
        var customerId = await host.CustomerWithDepositAsync(10m);
        var (invoices, finance) = (new Invoices.InvoicesClient(host.Billing.Channel), Tokens.As(Roles.FinanceClerk));
        var draft = await IssuedInvoiceAsync(customerId, "setup fee", 120m);
        await host.PublishAsync(Payment(customerId, 20m) with { InvoiceIds = [Guid.Parse(draft.InvoiceId)] });
        await Eventually.Until(async () => (await BalancesAsync(customerId))[LedgerAccount.Receivable], r => r == 100m, what: "the part payment to reach the invoice");

        await invoices.VoidInvoiceAsync(new VoidInvoiceRequest { RequestId = Guid.NewGuid().ToString(), InvoiceId = draft.InvoiceId, Reason = "billed in error" }, finance);

        var balances = await BalancesAsync(customerId);
        Assert.Equal((0m, 20m), (balances[LedgerAccount.Receivable], balances[LedgerAccount.Revenue]));
        Assert.Equal(10m, await host.AvailableAsync(customerId));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Redeemed_loyalty_points_become_promotional_credit_once()
    {
        var customerId = await host.CustomerWithDepositAsync(20m);
        var redeemed = new LoyaltyCreditRedeemed(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), customerId, 1500, 15m, "CNY");

        await host.PublishAsync(redeemed);
        await host.PublishAsync(redeemed with { EventId = Guid.CreateVersion7() });

        await Eventually.Until(() => host.AvailableAsync(customerId), a => a == 35m, what: "the promotional credit");
        await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, int>(db => db.Set<InboxMessage>().CountAsync(m => m.Consumer == "LoyaltyCreditRedeemedConsumer")),
            n => n >= 2, what: "both deliveries to be handled");
        var balances = await BalancesAsync(customerId);
        Assert.Equal(15m, balances[LedgerAccount.PromotionalCredit]);
        Assert.Equal(15m, balances[LedgerAccount.Promotions]);
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Payments_arriving_together_are_deposited_once_each_and_meet_invoices_as_they_would_one_by_one()
    {
        var customers = Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7()).ToList();
        var billed = await host.CustomerWithDepositAsync(1m);
        var invoice = await IssuedInvoiceAsync(billed, "maintenance", 100m);
        var payments = customers.SelectMany((c, i) => Enumerable.Range(1, 8).Select(k => Payment(c, 10m * k + i))).ToList();
        var toInvoice = new[] { Payment(billed, 60m), Payment(billed, 70m) }; // the second pays the rest of the invoice and deposits 30
        var deliveries = payments.Concat(toInvoice)
            .Concat(payments.Take(6)) // redelivered: same message ids
            .Concat(payments.Skip(10).Take(6).Select(p => p with { EventId = Guid.CreateVersion7() })) // re-published under new message ids
            .ToList();

        await Task.WhenAll(deliveries.Select(host.PublishAsync));

        foreach (var customer in customers)
        {
            var paid = payments.Where(p => p.CustomerId == customer).Sum(p => p.Amount);
            await Eventually.Until(() => host.AvailableAsync(customer), a => a == paid, what: "every payment of the customer to be deposited");
        }

        await Eventually.Until(() => host.AvailableAsync(billed), a => a == 31m, what: "the rest of the invoice payments to be deposited");
        await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, int>(db => db.Set<InboxMessage>()
            .CountAsync(m => m.Consumer == "PaymentReceivedConsumer" && deliveries.Select(d => d.EventId).Contains(m.MessageId))),
            n => n == deliveries.Select(d => d.EventId).Distinct().Count(), what: "every delivery to be handled");

        var invoices = new Invoices.InvoicesClient(host.Billing.Channel);
        Assert.Equal(InvoiceState.Paid, (await invoices.GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = invoice.InvoiceId }, Tokens.As(Roles.FinanceClerk))).State);
        foreach (var customer in customers.Append(billed))
        {
            var balances = await BalancesAsync(customer);
            var deposited = customer == billed ? 31m : payments.Where(p => p.CustomerId == customer).Sum(p => p.Amount);
            Assert.Equal(deposited, balances[LedgerAccount.PrepaidCash]);
            Assert.Equal(decimal.Round(deposited * 0.1m, 4, MidpointRounding.ToZero), balances[LedgerAccount.RiskReserve]);
            Assert.Equal(0m, balances[LedgerAccount.Receivable]);
            await host.AssertSoundAsync(customer);
        }

        var receipts = await host.Billing.QueryAsync<BillingDb, List<(Guid PaymentId, string Number)>>(async db =>
            (await db.Set<Platform.Billing.Commerce.Domain.Receipt>().Where(r => customers.Contains(r.CustomerId) || r.CustomerId == billed)
                .Select(r => new { r.PaymentId, r.Number }).ToListAsync()).Select(r => (r.PaymentId, r.Number)).ToList());
        Assert.Equal(payments.Count + toInvoice.Length + 1, receipts.Count); // one receipt per payment, the first deposit's included
        Assert.Equal(receipts.Count, receipts.Select(r => r.PaymentId).Distinct().Count());
        Assert.Equal(receipts.Count, receipts.Select(r => r.Number).Distinct().Count());

        // The inbox records a batch's messages with one timestamp: some payments shared a transaction.
        var handled = await host.Billing.QueryAsync<BillingDb, List<DateTimeOffset>>(db => db.Set<InboxMessage>()
            .Where(m => m.Consumer == "PaymentReceivedConsumer" && deliveries.Select(d => d.EventId).Contains(m.MessageId)).Select(m => m.ProcessedAt).ToListAsync());
        Assert.True(handled.Distinct().Count() < handled.Count, "no two payments were applied in one batch");
    }
}
