using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Jobs;
using Platform.Billing.Data;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;

namespace Platform.Tests.Billing.Commerce;

/// <summary>Invoice numbering under concurrency, the state machine through the API, allocation and the due scan.</summary>
public sealed class InvoiceTests(CommerceHost host) : IClassFixture<CommerceHost>
{
    private async Task<Invoice> DraftAsync(string customerId, decimal amount, DateTimeOffset due, string? contractId = null) =>
        await host.Invoices.CreateInvoiceAsync(new CreateInvoiceRequest
        {
            RequestId = Id(),
            CustomerId = customerId,
            ContractId = contractId ?? "",
            Description = "maintenance",
            Amount = Cny(amount),
            DueTime = Timestamp.FromDateTimeOffset(due),
        }, Tokens.As(Roles.FinanceClerk));

    private async Task<Invoice> IssueAsync(Invoice draft) =>
        await host.Invoices.IssueInvoiceAsync(new IssueInvoiceRequest { RequestId = Id(), InvoiceId = draft.InvoiceId }, Tokens.As(Roles.FinanceClerk));

    private async Task<PaymentAllocationResult> AllocateAsync(string customerId, Guid paymentId, decimal amount, params string[] invoiceIds) =>
        (await AllocateAllAsync(new ReceivedPayment(Guid.Parse(customerId), paymentId, amount, invoiceIds.Select(Guid.Parse).ToList(), null)))[0];

    private async Task<IReadOnlyList<PaymentAllocationResult>> AllocateAllAsync(params ReceivedPayment[] payments)
    {
        // As the PaymentReceived consumer does: the caller's transaction, the caller saves.
        await using var scope = host.Billing.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BillingDb>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var results = await scope.ServiceProvider.GetRequiredService<InvoiceService>().AllocatePaymentsAsync(payments, CancellationToken.None);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return results;
    }

    private Task<Invoice> GetAsync(string id) =>
        host.Invoices.GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = id }, Tokens.As(Roles.FinanceClerk)).ResponseAsync;

    [Fact]
    public async Task Invoices_issued_concurrently_get_gapless_numbers_without_duplicates()
    {
        var customer = Id();
        var drafts = new List<Invoice>();
        for (var i = 0; i < 50; i++)
        {
            drafts.Add(await DraftAsync(customer, 10m + i, host.Clock.GetUtcNow().AddDays(30)));
        }

        var issued = await Task.WhenAll(drafts.Select(d => host.Invoices.IssueInvoiceAsync(
            new IssueInvoiceRequest { RequestId = Id(), InvoiceId = d.InvoiceId }, Tokens.As(Roles.FinanceClerk)).ResponseAsync));

        Assert.All(issued, i => Assert.Equal(InvoiceState.Open, i.State));
        Assert.Equal(50, issued.Select(i => i.Number).Distinct().Count());
        var year = host.Clock.GetUtcNow().Year;
        var all = await host.Billing.QueryAsync<BillingDb, List<string>>(db => db.Set<Platform.Billing.Commerce.Domain.Invoice>()
            .Where(i => i.Number != null).Select(i => i.Number!).ToListAsync());
        var sequences = all.Select(n => long.Parse(n.Split('-')[2])).Order().ToList();
        Assert.All(all, n => Assert.StartsWith($"INV-{year}-", n, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.Equal(50, (await host.OutboxAsync("InvoiceIssued")).Select(p => JsonDocument.Parse(p).RootElement)
            .Count(e => e.GetProperty("customerId").GetString() == customer));
    }

    [Fact]
    public async Task Payment_is_allocated_oldest_due_first_marks_covered_invoices_paid_and_gets_a_receipt_once()
    {
        var customer = Id();
        var now = host.Clock.GetUtcNow();
        var later = await IssueAsync(await DraftAsync(customer, 100m, now.AddDays(20)));
        var oldest = await IssueAsync(await DraftAsync(customer, 100m, now.AddDays(5)));
        var middle = await IssueAsync(await DraftAsync(customer, 100m, now.AddDays(10)));
        var payment = Guid.NewGuid();

        var result = await AllocateAsync(customer, payment, 150m);
        var replay = await AllocateAsync(customer, payment, 150m);

        Assert.Equal(InvoiceState.Paid, (await GetAsync(oldest.InvoiceId)).State);
        var part = await GetAsync(middle.InvoiceId);
        Assert.Equal((InvoiceState.Open, 50L), (part.State, part.AmountPaid.Units));
        Assert.Equal((InvoiceState.Open, 0L), ((await GetAsync(later.InvoiceId)).State, (await GetAsync(later.InvoiceId)).AmountPaid.Units));
        Assert.Matches(@"^RCP-\d{4}-\d{6}$", result.Receipt!.Number);
        Assert.Equal(result.Receipt.Id, replay.Receipt!.Id);
        Assert.Equal(0m, result.Unallocated);
        Assert.Single((await host.OutboxAsync("InvoicePaid")).Select(p => JsonDocument.Parse(p).RootElement),
            e => e.GetProperty("customerId").GetString() == customer);
    }

    [Fact]
    public async Task Payments_allocated_together_meet_the_invoices_in_their_order_and_a_payment_listed_twice_gets_one_receipt()
    {
        var (customer, other) = (Id(), Id());
        var now = host.Clock.GetUtcNow();
        var oldest = await IssueAsync(await DraftAsync(customer, 100m, now.AddDays(5)));
        var middle = await IssueAsync(await DraftAsync(customer, 100m, now.AddDays(10)));
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        var results = await AllocateAllAsync(
            new ReceivedPayment(Guid.Parse(customer), first, 150m, [], null),
            new ReceivedPayment(Guid.Parse(other), second, 40m, [], null),
            new ReceivedPayment(Guid.Parse(customer), first, 150m, [], null),
            new ReceivedPayment(Guid.Parse(customer), third, 80m, [], null));

        // The first pays the oldest and half of the middle one; the third finds only the rest of the middle one.
        Assert.Equal([(oldest.InvoiceId, 100m), (middle.InvoiceId, 50m)], results[0].Allocations.Select(a => (a.InvoiceId.ToString(), a.Amount)));
        Assert.Equal((0, 40m), (results[1].Allocations.Count, results[1].Unallocated));
        Assert.Equal(results[0].Receipt!.Id, results[2].Receipt!.Id);
        Assert.Equal([(middle.InvoiceId, 50m)], results[3].Allocations.Select(a => (a.InvoiceId.ToString(), a.Amount)));
        Assert.Equal(30m, results[3].Unallocated);
        Assert.Equal(InvoiceState.Paid, (await GetAsync(oldest.InvoiceId)).State);
        Assert.Equal(InvoiceState.Paid, (await GetAsync(middle.InvoiceId)).State);
        var numbers = new[] { results[0], results[1], results[3] }.Select(r => r.Receipt!.Number).ToList();
        Assert.Equal(numbers.Order(StringComparer.Ordinal), numbers);
        Assert.Equal(3, numbers.Distinct().Count());
        Assert.Equal(2, (await host.OutboxAsync("InvoicePaid")).Select(p => JsonDocument.Parse(p).RootElement)
            .Count(e => e.GetProperty("customerId").GetString() == customer));

        var replayed = await AllocateAllAsync(new ReceivedPayment(Guid.Parse(customer), third, 80m, [], null));
        Assert.Equal(results[3].Receipt!.Id, replayed[0].Receipt!.Id);
    }

    [Fact]
    public async Task Named_invoices_are_paid_first_and_what_is_left_stays_unallocated()
    {
        var customer = Id();
        var now = host.Clock.GetUtcNow();
        var oldest = await IssueAsync(await DraftAsync(customer, 100m, now.AddDays(5)));
        var named = await IssueAsync(await DraftAsync(customer, 80m, now.AddDays(25)));

        var result = await AllocateAsync(customer, Guid.NewGuid(), 100m, named.InvoiceId);

        Assert.Equal(20m, result.Unallocated);
        var receipt = await host.Invoices.GetReceiptAsync(new GetReceiptRequest { PaymentId = result.Receipt!.PaymentId.ToString() }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal((result.Receipt.Number, 100L, 20L), (receipt.Number, receipt.Amount.Units, receipt.Unallocated.Units));
        Assert.Equal([(named.InvoiceId, 80L)], receipt.Allocations.Select(a => (a.InvoiceId, a.Amount.Units)));
        Assert.Equal(InvoiceState.Paid, (await GetAsync(named.InvoiceId)).State);
        Assert.Equal(InvoiceState.Open, (await GetAsync(oldest.InvoiceId)).State);
    }

    [Fact]
    public async Task An_invoice_amount_beyond_what_numeric_19_4_keeps_is_refused_naming_the_amount_and_nothing_is_stored()
    {
        var before = await host.CountsAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Invoices.CreateInvoiceAsync(new CreateInvoiceRequest
        {
            RequestId = Id(),
            CustomerId = Id(),
            Description = "maintenance",
            Amount = new Google.Type.Money { CurrencyCode = "CNY", Units = 1_000_000_000_000_000 },
            DueTime = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(3)),
        }, Tokens.As(Roles.FinanceClerk)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(["amount"], e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task A_time_that_is_not_a_valid_timestamp_is_refused_naming_the_field_on_every_rpc_that_takes_one_and_nothing_is_stored()
    {
        var beyond = new Timestamp { Seconds = 253402300800 }; // 10000-01-01: no DateTimeOffset holds it
        var soon = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(3));
        var money = new Google.Type.Money { CurrencyCode = "CNY", Units = 10 };
        var calls = new (string Field, Func<Task> Call)[]
        {
            ("due_time", async () => await host.Invoices.CreateInvoiceAsync(new CreateInvoiceRequest
                { RequestId = Id(), CustomerId = Id(), Description = "maintenance", Amount = money, DueTime = beyond }, Tokens.As(Roles.FinanceClerk))),
            ("effective_time", async () => await host.Catalog.SchedulePriceChangeAsync(new SchedulePriceChangeRequest
                { RequestId = Id(), EffectiveTime = beyond, Entries = { new PriceEntry { FeeItemCode = "x", UnitPrice = money } } }, Tokens.As(Roles.Administrator))),
            ("as_of", async () => await host.Catalog.GetPublishedPriceListAsync(new GetPublishedPriceListRequest { AsOf = beyond })),
            ("valid_until", async () => await host.Catalog.CreateCouponAsync(new CreateCouponRequest
                { RequestId = Id(), Code = "TIME-" + Id()[..8], PercentOff = 10, ValidUntil = beyond }, Tokens.As(Roles.Administrator))),
            ("usage_time", async () => await new Platform.Contracts.Billing.V1.Consumption.ConsumptionClient(host.Billing.Channel).RecordUsageAsync(new RecordUsageRequest
                { RequestId = Id(), ContractId = Id(), FeeItemCode = "x", Quantity = 1, UsageTime = beyond }, Tokens.As(Roles.FinanceClerk))),
            ("end_time", async () => await new Statements.StatementsClient(host.Billing.Channel).GetStatementAsync(new GetStatementRequest
                { CustomerId = Id(), StartTime = soon, EndTime = beyond }, Tokens.As(Roles.FinanceClerk))),
            ("legs[0].lot_expire_time", async () => await host.Ledger.TransferAsync(new TransferRequest
            {
                TransferId = Id(), CustomerId = Id(), Code = "prepaid.deposited",
                Legs = { new TransferLeg { From = LedgerAccount.PaymentsClearing, To = LedgerAccount.PrepaidCash, Amount = money, LotExpireTime = beyond } },
            }, Tokens.As(Roles.Service))),
        };
        var before = await host.CountsAsync();

        foreach (var (field, call) in calls)
        {
            var e = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal((StatusCode.InvalidArgument, field), (e.StatusCode, Assert.Single(e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field));
        }

        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task Paid_invoice_cannot_be_voided_and_a_draft_cannot_be_written_off()
    {
        var customer = Id();
        var paid = await IssueAsync(await DraftAsync(customer, 40m, host.Clock.GetUtcNow().AddDays(3)));
        await AllocateAsync(customer, Guid.NewGuid(), 40m, paid.InvoiceId);
        var draft = await DraftAsync(customer, 40m, host.Clock.GetUtcNow().AddDays(3));
        var before = await host.CountsAsync();

        var voiding = await Assert.ThrowsAsync<RpcException>(async () => await host.Invoices.VoidInvoiceAsync(
            new VoidInvoiceRequest { RequestId = Id(), InvoiceId = paid.InvoiceId, Reason = "mistake" }, Tokens.As(Roles.FinanceClerk)));
        var writeOff = await Assert.ThrowsAsync<RpcException>(async () => await host.Invoices.MarkInvoiceUncollectibleAsync(
            new MarkInvoiceUncollectibleRequest { RequestId = Id(), InvoiceId = draft.InvoiceId, Reason = "gone" }, Tokens.As(Roles.FinanceApprover)));

        Assert.Equal((StatusCode.FailedPrecondition, "INVOICE_STATE"), (voiding.StatusCode, voiding.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason));
        Assert.Equal(StatusCode.FailedPrecondition, writeOff.StatusCode);
        Assert.Equal(before, await host.CountsAsync());
        Assert.Equal(InvoiceState.Paid, (await GetAsync(paid.InvoiceId)).State);
        var voided = await host.Invoices.VoidInvoiceAsync(new VoidInvoiceRequest { RequestId = Id(), InvoiceId = draft.InvoiceId, Reason = "duplicate" }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal((InvoiceState.Void, ""), (voided.State, voided.Number));
    }

    [Fact]
    public async Task Voiding_an_issued_invoice_announces_what_was_still_owed_and_voiding_a_draft_announces_nothing()
    {
        var customer = Id();
        var issued = await IssueAsync(await DraftAsync(customer, 90m, host.Clock.GetUtcNow().AddDays(10)));
        await AllocateAsync(customer, Guid.NewGuid(), 30m, issued.InvoiceId);
        var draft = await DraftAsync(customer, 50m, host.Clock.GetUtcNow().AddDays(10));

        await host.Invoices.VoidInvoiceAsync(new VoidInvoiceRequest { RequestId = Id(), InvoiceId = issued.InvoiceId, Reason = "issued in error" }, Tokens.As(Roles.FinanceClerk));
        await host.Invoices.VoidInvoiceAsync(new VoidInvoiceRequest { RequestId = Id(), InvoiceId = draft.InvoiceId, Reason = "duplicate" }, Tokens.As(Roles.FinanceClerk));

        var announced = (await host.OutboxAsync("InvoiceVoided")).Select(p => System.Text.Json.JsonDocument.Parse(p).RootElement)
            .Where(e => e.GetProperty("customerId").GetString() == customer).ToList();
        var voided = Assert.Single(announced);
        Assert.Equal((issued.InvoiceId, issued.Number, 60m, "issued in error"),
            (voided.GetProperty("invoiceId").GetString(), voided.GetProperty("invoiceNumber").GetString(), voided.GetProperty("amountDue").GetDecimal(), voided.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Payment_with_nothing_to_pay_still_gets_a_receipt_all_unallocated()
    {
        var result = await AllocateAsync(Id(), Guid.NewGuid(), 300m);

        Assert.Empty(result.Allocations);
        Assert.Equal((300m, 300m), (result.Receipt!.Amount, result.Receipt.Unallocated));
    }

    [Fact]
    public async Task Invoice_list_pages_newest_first_without_overlap()
    {
        var customer = Id();
        for (var i = 0; i < 5; i++)
        {
            await DraftAsync(customer, 10m, host.Clock.GetUtcNow().AddDays(i + 1));
        }

        var first = await host.Invoices.ListInvoicesAsync(new ListInvoicesRequest { CustomerId = customer, PageSize = 3 }, Tokens.As(Roles.FinanceClerk));
        var second = await host.Invoices.ListInvoicesAsync(new ListInvoicesRequest { CustomerId = customer, PageSize = 3, PageToken = first.NextPageToken }, Tokens.As(Roles.FinanceClerk));

        Assert.Equal((3, 2, ""), (first.Invoices.Count, second.Invoices.Count, second.NextPageToken));
        Assert.Equal(5, first.Invoices.Concat(second.Invoices).Select(i => i.InvoiceId).Distinct().Count());
    }

    [Fact]
    public async Task Invalid_invoice_names_each_field_and_stores_nothing()
    {
        var before = await host.CountsAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Invoices.CreateInvoiceAsync(new CreateInvoiceRequest
        {
            RequestId = Id(),
            CustomerId = "x",
            Description = "",
            Amount = Cny(0m),
        }, Tokens.As(Roles.FinanceClerk)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(["customer_id", "description", "amount", "due_time"], e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task Each_due_scan_round_moves_on_when_more_invoices_fall_due_than_a_round_takes()
    {
        var customer = Id();
        var due = host.Clock.GetUtcNow().AddHours(1);
        var invoices = new List<Invoice>();
        for (var i = 0; i < 3; i++)
        {
            invoices.Add(await IssueAsync(await DraftAsync(customer, 10m + i, due.AddMinutes(i))));
        }

        host.Clock.Advance(TimeSpan.FromHours(2)); // all three due, none a day overdue

        // Rounds of two invoices at most, until one finds nothing to tell: the first two, told due, do not fill the
        // next round while they wait to be a day overdue.
        var queued = new List<int>();
        do
        {
            await using var scope = host.Billing.Services.CreateAsyncScope();
            var scan = ActivatorUtilities.CreateInstance<InvoiceDueScan>(scope.ServiceProvider, Options.Create(new CommerceOptions { InvoiceScanBatchSize = 2 }));
            queued.Add(await Eventually.Until(() => scan.RunOnceAsync(CancellationToken.None), n => n is not null, what: "a round that took the lock") ?? 0);
        }
        while (queued[^1] > 0 && queued.Count < 20);

        var told = (await host.OutboxAsync("InvoiceDue")).Select(p => JsonDocument.Parse(p).RootElement.GetProperty("invoiceId").GetString()).ToList();
        Assert.All(invoices, i => Assert.Single(told, id => id == i.InvoiceId));
        Assert.DoesNotContain(await host.OutboxAsync("InvoiceOverdue"), p => invoices.Any(i => p.Contains(i.InvoiceId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Due_and_overdue_are_raised_once_per_invoice_counted_from_the_due_date_even_with_concurrent_scans()
    {
        var (setup, _) = await host.NewProductAsync();
        var customer = Id();
        var contract = await host.SignedContractAsync(customer, Terms(host.Clock.GetUtcNow()), 12, (setup, 1));
        var invoice = await IssueAsync(await DraftAsync(customer, 70m, host.Clock.GetUtcNow().AddHours(12), contract.ContractId));

        async Task<(int Due, List<JsonElement> Overdue)> ScanAsync()
        {
            // The host's own scanner may hold the lock at that moment (all three then skip): scan until one of ours ran,
            // so the counts below follow a completed scan at the current time.
            await Eventually.Until(async () => await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
            {
                await using var scope = host.Billing.Services.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<InvoiceDueScan>().RunOnceAsync(CancellationToken.None);
            })), runs => runs.Any(r => r is not null), what: "a scan that took the lock");
            var due = (await host.OutboxAsync("InvoiceDue")).Count(p => p.Contains(invoice.InvoiceId, StringComparison.Ordinal));
            var overdue = (await host.OutboxAsync("InvoiceOverdue")).Where(p => p.Contains(invoice.InvoiceId, StringComparison.Ordinal))
                .Select(p => JsonDocument.Parse(p).RootElement).ToList();
            return (due, overdue);
        }

        Assert.Equal(0, (await ScanAsync()).Due);
        host.Clock.Advance(TimeSpan.FromHours(13));
        var atDue = await ScanAsync();
        Assert.Equal((1, 0), (atDue.Due, atDue.Overdue.Count));
        host.Clock.Advance(TimeSpan.FromDays(1));
        await ScanAsync();
        var overdue = await ScanAsync();

        Assert.Equal(1, overdue.Due);
        var evt = Assert.Single(overdue.Overdue);
        Assert.Equal((1, 10), (evt.GetProperty("daysOverdue").GetInt32(), evt.GetProperty("graceDays").GetInt32()));
        Assert.Equal(invoice.Number, evt.GetProperty("invoiceNumber").GetString());
    }
}
