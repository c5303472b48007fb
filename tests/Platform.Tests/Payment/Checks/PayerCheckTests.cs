using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Payment.Checks.ChecksHost;
using Proto = Platform.Contracts.Payment.V1;
using WorkItem = Platform.Payment.Exceptions.Domain.WorkItem;

namespace Platform.Tests.Payment.Checks;

/// <summary>The payer must exist and may still pay; the invoices a payment names must be the payer's and open.</summary>
public sealed class PayerCheckTests(ChecksHost host) : IClassFixture<ChecksHost>
{
    private static CallOptions Clerk => Tokens.As(Roles.FinanceClerk);

    /// <summary>Every RPC that names a customer, for one customer id.</summary>
    private IEnumerable<(string Rpc, Func<Task> Call)> CallsNaming(Guid customer)
    {
        var payment = host.Collections.Payment.Channel;
        yield return ("RecordPayment", async () => await host.Payments.RecordPaymentAsync(Cash(customer, 100m), Clerk));
        yield return ("AssignVirtualAccount", async () => await new Proto.VirtualAccounts.VirtualAccountsClient(payment).AssignVirtualAccountAsync(
            new Proto.AssignVirtualAccountRequest { RequestId = Id(), CustomerId = customer.ToString() }, Clerk));
        yield return ("CreatePaymentIntent", async () => await new Proto.PaymentIntents.PaymentIntentsClient(payment).CreatePaymentIntentAsync(
            new Proto.CreatePaymentIntentRequest { RequestId = Id(), CustomerId = customer.ToString(), Amount = 50m.ToMoney("CNY"), Method = Proto.WalletMethod.Alipay },
            Clerk));
        yield return ("MatchPayment", async () => await new Proto.PaymentExceptions.PaymentExceptionsClient(payment).MatchPaymentAsync(
            new Proto.MatchPaymentRequest { RequestId = Id(), PaymentId = Id(), CustomerId = customer.ToString() }, Clerk));
    }

    [Fact]
    public async Task A_customer_the_customer_service_does_not_know_is_refused_naming_customer_id_on_every_path_and_nothing_is_written()
    {
        var before = await host.CountsAsync();
        foreach (var (rpc, call) in CallsNaming(Guid.CreateVersion7()))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(refused.StatusCode == StatusCode.InvalidArgument, $"{rpc}: {refused.Status}");
            Assert.Equal(["customer_id"], Fields(refused));
        }

        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task An_erased_customer_is_refused_with_failed_precondition_naming_it_on_every_path_and_nothing_is_written()
    {
        var customer = await host.RegisteredAsync();
        await host.Customers.EraseCustomerAsync(new EraseCustomerRequest { RequestId = Id(), CustomerId = customer.ToString(), Reason = "customer asked" },
            Tokens.As(Roles.Administrator));
        await host.KnownAsync(customer, c => c?.Standing == CustomerStanding.Erased, "the erasure to reach payment");

        var before = await host.CountsAsync();
        foreach (var (rpc, call) in CallsNaming(customer))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(refused.StatusCode == StatusCode.FailedPrecondition, $"{rpc}: {refused.Status}");
            Assert.Equal(("CUSTOMER_ERASED", $"customers/{customer}"), (Precondition(refused).Type, Precondition(refused).Subject));
        }

        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task A_merged_away_customer_is_refused_naming_the_survivor_and_the_survivor_pays()
    {
        var survivor = await host.RegisteredAsync();
        var merged = await host.RegisteredAsync();
        await host.MergedAsync(survivor, merged); // the merge follower's own writes done before the counts are taken

        var before = await host.CountsAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await host.Payments.RecordPaymentAsync(Cash(merged, 80m), Clerk));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(("CUSTOMER_MERGED", $"customers/{merged}"), (Precondition(refused).Type, Precondition(refused).Subject));
        Assert.Contains(survivor.ToString(), refused.Status.Detail);
        Assert.Equal(before, await host.CountsAsync());

        var paid = await host.Payments.RecordPaymentAsync(Cash(survivor, 80m), Clerk);
        Assert.Equal(Proto.PaymentState.Received, paid.State);
    }

    [Fact]
    public async Task Payers_taken_unverified_during_an_outage_are_checked_again_and_one_who_is_no_customer_goes_back_to_suspense()
    {
        var customer = await host.RegisteredAsync();
        await host.Collections.Payment.QueryAsync<PaymentDb, int>(db => db.Set<KnownCustomer>().Where(c => c.CustomerId == customer).ExecuteDeleteAsync());
        var stranger = Guid.CreateVersion7();
        Proto.Payment real, unknown;
        host.CustomerServiceDown = true;
        try
        {
            real = await host.Payments.RecordPaymentAsync(Cash(customer, 50m), Clerk);
            unknown = await host.Payments.RecordPaymentAsync(Cash(stranger, 70m), Clerk);
            await RecheckAsync(); // still down: both wait
            Assert.Equal((true, true), (await UnverifiedAsync(real), await UnverifiedAsync(unknown)));
        }
        finally
        {
            host.CustomerServiceDown = false;
        }

        await RecheckAsync();
        await RecheckAsync(); // a second pass finds nothing left to do

        Assert.Equal((false, false), (await UnverifiedAsync(real), await UnverifiedAsync(unknown)));
        var items = await host.Collections.Payment.QueryAsync<PaymentDb, List<WorkItem>>(db => db.Set<WorkItem>().AsNoTracking()
            .Where(w => w.PaymentId == Guid.Parse(real.PaymentId) || w.PaymentId == Guid.Parse(unknown.PaymentId)).ToListAsync());
        // The received payment of the stranger went back to suspense (ReversalTests follow the money through billing).
        var item = Assert.Single(items);
        Assert.Equal((Platform.Payment.Exceptions.Domain.WorkItemKind.UnidentifiedPayer, Guid.Parse(unknown.PaymentId), 70m, (Guid?)null),
            (item.Kind, item.PaymentId, item.Amount, item.CustomerId));
        Assert.Contains($"payer {stranger} is not known to the customer service", item.Summary, StringComparison.Ordinal);
        var verified = await host.Collections.Payment.QueryAsync<PaymentDb, int>(db =>
            db.Set<AuditEntry>().CountAsync(a => a.Subject == "payments/" + real.PaymentId && a.Action == "payment.payer_verified"));
        Assert.Equal(1, verified);
    }

    [Fact]
    public async Task The_recheck_reaches_payers_behind_ones_the_customer_service_keeps_failing_for()
    {
        var stuck = new[] { await host.RegisteredAsync(), await host.RegisteredAsync() };
        var customer = await host.RegisteredAsync();
        Guid[] everyone = [.. stuck, customer];
        await host.Collections.Payment.QueryAsync<PaymentDb, int>(db => db.Set<KnownCustomer>().Where(c => everyone.Contains(c.CustomerId)).ExecuteDeleteAsync());
        foreach (var id in everyone)
        {
            host.Unanswerable[id] = true;
        }

        try
        {
            // Two payments the re-check cannot settle fill a pass (two payments a pass here), ahead of the third.
            var payments = new List<Proto.Payment>();
            foreach (var payer in everyone)
            {
                payments.Add(await host.Payments.RecordPaymentAsync(Cash(payer, 30m), Clerk));
                await Task.Delay(2); // time-ordered ids: one millisecond apart at least
            }

            Assert.All(await Task.WhenAll(payments.Select(UnverifiedAsync)), Assert.True);
            host.Unanswerable.TryRemove(customer, out _);

            await RecheckAsync();
            await RecheckAsync();
            Assert.False(await UnverifiedAsync(payments[2]));
            Assert.Equal(new[] { true, true }, await Task.WhenAll(payments.Take(2).Select(UnverifiedAsync)));
        }
        finally
        {
            host.Unanswerable.Clear();
        }

        await RecheckAsync();
        Assert.Equal(0, await host.Collections.Payment.QueryAsync<PaymentDb, int>(db => db.Payments.CountAsync(p => p.PayerUnverified)));
    }

    private async Task RecheckAsync() =>
        Assert.NotNull(await host.Collections.Payment.Services.GetRequiredService<Platform.Payment.Checks.Jobs.PayerRecheckJob>().RunOnceAsync(CancellationToken.None));

    private Task<bool> UnverifiedAsync(Proto.Payment payment) =>
        host.Collections.Payment.QueryAsync<PaymentDb, bool>(db => db.Payments.Where(p => p.Id == Guid.Parse(payment.PaymentId)).Select(p => p.PayerUnverified).SingleAsync());

    [Fact]
    public async Task A_customer_payment_has_not_heard_of_yet_is_asked_of_the_customer_service_and_remembered()
    {
        var customer = await host.RegisteredAsync();
        // As if the registration event were still on its way (or the customer older than payment's view).
        await host.Collections.Payment.QueryAsync<PaymentDb, int>(db => db.Set<KnownCustomer>().Where(c => c.CustomerId == customer).ExecuteDeleteAsync());

        var paid = await host.Payments.RecordPaymentAsync(Cash(customer, 120m), Clerk);

        Assert.Equal(Proto.PaymentState.Received, paid.State);
        var known = await host.KnownAsync(customer, c => c is not null, "the answer to be remembered");
        Assert.Equal(CustomerStanding.Active, known!.Standing);
        var audit = await host.Collections.Payment.QueryAsync<PaymentDb, string>(db =>
            db.Set<AuditEntry>().Where(a => a.Subject == "payments/" + paid.PaymentId).Select(a => a.Details).SingleAsync());
        Assert.False(System.Text.Json.JsonDocument.Parse(audit).RootElement.GetProperty("payerUnverified").GetBoolean());
    }

    [Fact]
    public async Task Invoices_of_another_customer_void_unknown_or_paid_are_refused_naming_each_index_and_open_ones_of_the_payer_are_taken()
    {
        var payer = await host.RegisteredAsync();
        var other = await host.RegisteredAsync();
        var due = host.Collections.Clock.GetUtcNow().AddDays(30);
        var own = await host.IssuedInvoiceAsync(payer, 300m, due);
        var others = await host.IssuedInvoiceAsync(other, 300m, due);
        var voided = await host.IssuedInvoiceAsync(payer, 300m, due);
        await host.Collections.Commerce.Invoices.VoidInvoiceAsync(new Contracts.Billing.V1.VoidInvoiceRequest
        {
            RequestId = Id(), InvoiceId = voided.InvoiceId, Reason = "issued twice",
        }, Tokens.As(Roles.FinanceClerk));

        // Paid as far as payment's own receivables view knows (billing's events): payment does not ask billing then.
        var paidInvoice = Guid.CreateVersion7();
        var issued = Platform.Tests.Payment.Collections.CollectionsHost.Issued(paidInvoice, payer, null, 200m, due);
        await host.Collections.PublishAsync(issued);
        await host.Collections.PublishAsync(new InvoicePaid(Guid.CreateVersion7(), due, paidInvoice, issued.InvoiceNumber, payer, null, 200m, "CNY"));
        await Eventually.Until(() => host.Collections.Payment.QueryAsync<PaymentDb, bool>(db =>
            db.Set<Platform.Payment.Collections.Domain.Receivable>().AnyAsync(r => r.InvoiceId == paidInvoice && r.PaidAt != null)), p => p, what: "the paid invoice");

        var before = await host.CountsAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await host.Payments.RecordPaymentAsync(
            Cash(payer, 900m, own.InvoiceId, others.InvoiceId, voided.InvoiceId, Id(), paidInvoice.ToString()), Clerk));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["invoice_ids[1]", "invoice_ids[2]", "invoice_ids[3]", "invoice_ids[4]"], Fields(refused));
        Assert.Equal(before, await host.CountsAsync());

        var taken = await host.Payments.RecordPaymentAsync(Cash(payer, 300m, own.InvoiceId), Clerk);
        Assert.Equal([own.InvoiceId], taken.InvoiceIds);
    }
}
