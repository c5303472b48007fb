using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Payment.Collections.CollectionsHost;
using Domain = Platform.Payment.Collections.Domain;

namespace Platform.Tests.Payment.Collections;

public sealed class CollectionsTests(CollectionsHost host) : IClassFixture<CollectionsHost>
{
    private static readonly string[] Ladder =
        ["friendly_reminder", "second_notice", "call_task", "negotiation", "promise_to_pay", "suspension"];

    private async Task<(Guid Customer, Guid Invoice, string Contract, string OtherContract, DateTimeOffset Due)> OverdueInvoiceAsync(decimal amount)
    {
        var customer = Guid.CreateVersion7();
        var contract = await host.SignedContractAsync(customer.ToString());
        var other = await host.SignedContractAsync(customer.ToString());
        var due = host.Clock.GetUtcNow();
        var invoice = Guid.CreateVersion7();
        var issued = Issued(invoice, customer, Guid.Parse(contract), amount, due);
        await host.PublishAsync(issued);
        host.Clock.SetUtcNow(due.AddDays(1));
        await host.PublishAsync(Overdue(issued, due.AddDays(1)));
        return (customer, invoice, contract, other, due);
    }

    [Fact]
    public async Task Stages_fire_at_their_offsets_suspension_blocks_only_that_contract_and_full_payment_closes_the_case_and_resumes_it()
    {
        var (customer, invoice, contract, other, due) = await OverdueInvoiceAsync(1000m);
        var opened = await host.CaseOfAsync(customer, invoice);
        Assert.Equal((DunningStage.FriendlyReminder, DunningStage.SecondNotice), (opened.Stage, opened.NextStage));
        Assert.Equal(due.AddDays(7), opened.NextStageTime.ToDateTimeOffset());

        await host.RunJobAsync(due.AddDays(6));
        Assert.Equal(DunningStage.FriendlyReminder, (await host.GetCaseAsync(opened.CaseId)).Stage);
        foreach (var day in new[] { 7, 14, 21, 30 })
        {
            await host.RunJobAsync(due.AddDays(day));
        }

        Assert.Equal(DunningStage.PromiseToPay, (await host.GetCaseAsync(opened.CaseId)).Stage);
        Assert.Equal(EntitlementState.Active, await host.EntitlementAsync(contract));

        await host.RunJobAsync(due.AddDays(45));

        var suspended = await host.GetCaseAsync(opened.CaseId);
        Assert.Equal((DunningStage.Suspension, true), (suspended.Stage, suspended.ContractSuspended));
        Assert.Equal(EntitlementState.Suspended, await host.EntitlementAsync(contract));
        Assert.Equal(EntitlementState.Active, await host.EntitlementAsync(other));
        var stages = await host.EventsAsync("CollectionsStageReached", opened.CaseId);
        Assert.Equal(Ladder, stages.Select(e => e.GetProperty("stage").GetString()));
        Assert.Equal([1, 7, 14, 21, 30, 45], stages.Select(e => e.GetProperty("daysOverdue").GetInt32()));
        Assert.All(stages, e => Assert.Equal(contract, e.GetProperty("contractId").GetString()));

        await host.PublishAsync(Allocated(customer, invoice, 1000m, 0m, due.AddDays(46)));
        var closed = await Eventually.Until(() => host.GetCaseAsync(opened.CaseId), c => !c.Open, what: "the case to close");
        Assert.Equal(("paid", 0m), (closed.CloseReason, closed.AmountDue.ToDecimal()));
        Assert.Single(await host.EventsAsync("CollectionsCaseClosed", opened.CaseId));

        await host.RunJobAsync(due.AddDays(46));
        Assert.Equal(EntitlementState.Active, await host.EntitlementAsync(contract));
        Assert.False((await host.GetCaseAsync(opened.CaseId)).ContractSuspended);

        await host.RunJobAsync(due.AddDays(120));
        Assert.Equal(6, (await host.EventsAsync("CollectionsStageReached", opened.CaseId)).Count);
    }

    [Fact]
    public async Task A_voided_invoice_closes_its_case_resumes_the_contract_it_suspended_and_leaves_the_aging()
    {
        var (customer, invoice, contract, _, due) = await OverdueInvoiceAsync(700m);
        var opened = await host.CaseOfAsync(customer, invoice);
        foreach (var day in new[] { 7, 14, 21, 30, 45 })
        {
            await host.RunJobAsync(due.AddDays(day));
        }

        Assert.Equal(EntitlementState.Suspended, await host.EntitlementAsync(contract));
        var aging = new GetAgingRequest { CustomerId = customer.ToString() };
        Assert.Equal(700m, (await host.Collections.GetAgingAsync(aging, Tokens.As(Roles.FinanceApprover))).Total.Total.ToDecimal());

        var voided = new InvoiceVoided(Guid.CreateVersion7(), host.Clock.GetUtcNow(), invoice, "INV-" + invoice.ToString("N")[..8], customer,
            Guid.Parse(contract), 700m, "CNY", "issued in error");
        await host.PublishAsync(voided);
        await host.PublishAsync(voided); // a redelivery changes nothing more
        var closed = await Eventually.Until(() => host.GetCaseAsync(opened.CaseId), c => !c.Open, what: "the case to close");

        Assert.Equal(("voided", 0m), (closed.CloseReason, closed.AmountDue.ToDecimal()));
        var raised = Assert.Single(await host.EventsAsync("CollectionsCaseClosed", opened.CaseId));
        Assert.Equal("voided", raised.GetProperty("reason").GetString());
        Assert.Equal(0m, (await host.Collections.GetAgingAsync(aging, Tokens.As(Roles.FinanceApprover))).Total.Total.ToDecimal());
        await host.RunJobAsync(due.AddDays(47));
        Assert.Equal(EntitlementState.Active, await host.EntitlementAsync(contract));
        await host.RunJobAsync(due.AddDays(120));
        Assert.Equal(6, (await host.EventsAsync("CollectionsStageReached", opened.CaseId)).Count); // no stage after the void
    }

    [Fact]
    public async Task A_partial_payment_re_anchors_the_ladder_on_the_payment_date()
    {
        var (customer, invoice, _, _, due) = await OverdueInvoiceAsync(1000m);
        var opened = await host.CaseOfAsync(customer, invoice);

        await host.PublishAsync(Allocated(customer, invoice, 400m, 600m, due.AddDays(5)));
        var anchored = await Eventually.Until(() => host.GetCaseAsync(opened.CaseId), c => c.AmountDue.ToDecimal() == 600m, what: "the partial payment");
        Assert.Equal(due.AddDays(5), anchored.AnchorTime.ToDateTimeOffset());
        Assert.Equal(due.AddDays(12), anchored.NextStageTime.ToDateTimeOffset());

        await host.RunJobAsync(due.AddDays(11));
        Assert.Equal(DunningStage.FriendlyReminder, (await host.GetCaseAsync(opened.CaseId)).Stage);
        await host.RunJobAsync(due.AddDays(12));
        var second = await host.GetCaseAsync(opened.CaseId);
        Assert.Equal((DunningStage.SecondNotice, true), (second.Stage, second.Open));
        Assert.Equal(600m, (await host.EventsAsync("CollectionsStageReached", opened.CaseId)).Last().GetProperty("amountDue").GetDecimal());
    }

    [Fact]
    public async Task A_broken_promise_escalates_to_suspension_at_once_and_billing_suspends_the_contract()
    {
        var (customer, invoice, contract, other, due) = await OverdueInvoiceAsync(1000m);
        var opened = await host.CaseOfAsync(customer, invoice);
        host.Clock.SetUtcNow(due.AddDays(3));
        await host.Collections.RecordNegotiationAsync(new RecordNegotiationRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = opened.CaseId,
            Strategy = "installment_plan",
            Outcome = "customer will pay half by day 10",
        }, Tokens.As(Roles.FinanceClerk));
        var promised = await host.Collections.RecordPromiseToPayAsync(new RecordPromiseToPayRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = opened.CaseId,
            Amount = 500m.ToMoney("CNY"),
            PromisedDate = new Google.Type.Date { Year = due.AddDays(10).Year, Month = due.AddDays(10).Month, Day = due.AddDays(10).Day },
        }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal((DunningStage.PromiseToPay, PromiseState.Pending), (promised.Stage, promised.Promise.State));
        Assert.Equal("installment_plan", Assert.Single(promised.Negotiations).Strategy);

        await host.PublishAsync(Allocated(customer, invoice, 100m, 900m, due.AddDays(8)));
        await Eventually.Until(() => host.GetCaseAsync(opened.CaseId), c => c.Promise.Paid.ToDecimal() == 100m, what: "the payment towards the promise");
        await host.RunJobAsync(due.AddDays(10));
        Assert.Equal(DunningStage.PromiseToPay, (await host.GetCaseAsync(opened.CaseId)).Stage);

        await host.RunJobAsync(due.AddDays(11));

        var broken = await host.GetCaseAsync(opened.CaseId);
        Assert.Equal((DunningStage.Suspension, PromiseState.Broken), (broken.Stage, broken.Promise.State));
        var last = (await host.EventsAsync("CollectionsStageReached", opened.CaseId)).Last();
        Assert.Equal(("suspension", "broken_promise"), (last.GetProperty("stage").GetString(), last.GetProperty("trigger").GetString()));
        Assert.Equal(EntitlementState.Suspended, await host.EntitlementAsync(contract));
        Assert.Equal(EntitlementState.Active, await host.EntitlementAsync(other));
        Assert.Equal(due.AddDays(11 + 15), broken.NextStageTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task Redelivered_billing_events_are_applied_once()
    {
        var customer = Guid.CreateVersion7();
        var due = host.Clock.GetUtcNow();
        var issued = Issued(Guid.CreateVersion7(), customer, null, 1000m, due);
        var overdue = Overdue(issued, due.AddDays(2));
        var partial = Allocated(customer, issued.InvoiceId, 400m, 600m, due.AddDays(3));
        host.Clock.SetUtcNow(due.AddDays(3));

        await host.PublishAsync(issued);
        await host.PublishAsync(overdue);
        await host.PublishAsync(overdue);
        var @case = await host.CaseOfAsync(customer, issued.InvoiceId);
        await host.PublishAsync(partial);
        await host.PublishAsync(partial);
        await Eventually.Until(() => host.GetCaseAsync(@case.CaseId), c => c.AmountDue.ToDecimal() == 600m, what: "the partial payment");
        await host.PublishAsync(overdue);
        // PaymentAllocated goes to two of payment's queues (receivables, work items).
        await Eventually.Until(() => Task.FromResult((host.Payment.Consumed.Of(overdue.EventId), host.Payment.Consumed.Of(partial.EventId, endpoints: 2))),
            n => n.Item1 >= 3 && n.Item2 >= 2, what: "every delivery consumed");
        var (cases, allocations, due2) = await host.Payment.QueryAsync<PaymentDb, (int, int, decimal)>(async db => (
            await db.Set<Domain.CollectionCase>().CountAsync(c => c.CustomerId == customer),
            await db.Set<Domain.ReceivableAllocation>().CountAsync(a => a.InvoiceId == issued.InvoiceId),
            await db.Set<Domain.Receivable>().Where(r => r.InvoiceId == issued.InvoiceId).Select(r => r.AmountDue).SingleAsync()));
        Assert.Equal((1, 1, 600m), (cases, allocations, due2));
        Assert.Single(await host.EventsAsync("CollectionsStageReached", @case.CaseId));
        Assert.Empty(@case.ContractId);
    }

    [Fact]
    public async Task Bad_promises_and_negotiations_are_refused_naming_the_field_and_store_nothing()
    {
        var customer = Guid.CreateVersion7();
        var due = host.Clock.GetUtcNow();
        var issued = Issued(Guid.CreateVersion7(), customer, null, 300m, due);
        await host.PublishAsync(issued);
        await host.PublishAsync(Overdue(issued, due.AddDays(1)));
        var @case = await host.CaseOfAsync(customer, issued.InvoiceId);
        var yesterday = due.AddDays(-1);

        async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
        var tooMuch = await Refused(async () => await host.Collections.RecordPromiseToPayAsync(new RecordPromiseToPayRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = @case.CaseId,
            Amount = 301m.ToMoney("CNY"),
            PromisedDate = new Google.Type.Date { Year = yesterday.Year, Month = yesterday.Month, Day = yesterday.Day },
        }, Tokens.As(Roles.FinanceClerk)));
        var shape = await Refused(async () => await host.Collections.RecordNegotiationAsync(new RecordNegotiationRequest
        {
            CaseId = "not-a-case",
            Strategy = " ",
            Outcome = "agreed",
        }, Tokens.As(Roles.FinanceClerk)));
        var salesRep = await Refused(async () => await host.Collections.RecordNegotiationAsync(new RecordNegotiationRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = @case.CaseId,
            Strategy = "call",
            Outcome = "agreed",
        }, Tokens.As(Roles.SalesRep)));

        Assert.Equal(StatusCode.InvalidArgument, tooMuch.StatusCode);
        Assert.Equal(["amount", "promised_date"], tooMuch.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).Order());
        Assert.Equal(["case_id", "request_id", "strategy"], shape.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).Order());
        Assert.Equal(StatusCode.PermissionDenied, salesRep.StatusCode);
        var after = await host.GetCaseAsync(@case.CaseId);
        Assert.Equal(DunningStage.FriendlyReminder, after.Stage);
        Assert.Null(after.Promise);
        Assert.Empty(after.Negotiations);

        var request = new RecordNegotiationRequest { RequestId = Guid.NewGuid().ToString(), CaseId = @case.CaseId, Strategy = "call", Outcome = "no answer" };
        await host.Collections.RecordNegotiationAsync(request, Tokens.As(Roles.FinanceClerk));
        await host.Collections.RecordNegotiationAsync(request, Tokens.As(Roles.FinanceClerk));
        request.Outcome = "agreed to pay";
        var reused = await Refused(async () => await host.Collections.RecordNegotiationAsync(request, Tokens.As(Roles.FinanceClerk)));
        Assert.Equal("outcome", reused.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        Assert.Single((await host.GetCaseAsync(@case.CaseId)).Negotiations);
    }

    [Fact]
    public async Task Aging_and_dso_of_a_customer_come_from_billings_invoices_and_payments()
    {
        var customer = Guid.CreateVersion7();
        var now = host.Clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var notDue = Issued(Guid.CreateVersion7(), customer, null, 100m, now.AddDays(5)) with { OccurredAt = now.AddDays(-2) };
        var late10 = Issued(Guid.CreateVersion7(), customer, null, 200m, now.AddDays(-10)) with { OccurredAt = now.AddDays(-20) };
        var late45 = Issued(Guid.CreateVersion7(), customer, null, 300m, now.AddDays(-45)) with { OccurredAt = now.AddDays(-50) };
        var late100 = Issued(Guid.CreateVersion7(), customer, null, 400m, now.AddDays(-100)) with { OccurredAt = now.AddDays(-110) };
        foreach (var i in new[] { notDue, late10, late45, late100 })
        {
            await host.PublishAsync(i);
        }

        await host.PublishAsync(Allocated(customer, late45.InvoiceId, 50m, 250m, now.AddDays(-1)));
        var request = new GetAgingRequest { CustomerId = customer.ToString() };
        var aging = await Eventually.Until(async () => await host.Collections.GetAgingAsync(request, Tokens.As(Roles.FinanceApprover)),
            a => a.Total.Total.ToDecimal() == 950m, what: "the receivables");

        var b = aging.Total;
        Assert.Equal((100m, 200m, 250m, 0m, 400m),
            (b.Current.ToDecimal(), b.Days130.ToDecimal(), b.Days3160.ToDecimal(), b.Days6190.ToDecimal(), b.Over90.ToDecimal()));
        Assert.Equal(customer.ToString(), Assert.Single(aging.Customers).CustomerId);

        // Two days ago the partial payment had not come yet, and the invoice due in 5 days was not issued.
        var earlier = await host.Collections.GetAgingAsync(new GetAgingRequest
        {
            CustomerId = customer.ToString(),
            AsOf = new Google.Type.Date { Year = today.AddDays(-3).Year, Month = today.AddDays(-3).Month, Day = today.AddDays(-3).Day },
        }, Tokens.As(Roles.FinanceApprover));
        Assert.Equal(900m, earlier.Total.Total.ToDecimal());

        var start = today.AddDays(-59);
        var dso = await host.Collections.GetDsoAsync(new GetDsoRequest
        {
            CustomerId = customer.ToString(),
            StartDate = new Google.Type.Date { Year = start.Year, Month = start.Month, Day = start.Day },
            EndDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
        }, Tokens.As(Roles.FinanceApprover));
        // Sales in the 60 days: 100 + 200 + 300; receivables at its end 950: 950 / 600 × 60.
        Assert.Equal((950m, 600m, 60, 95d), (dso.Receivables.ToDecimal(), dso.CreditSales.ToDecimal(), dso.Days, dso.Dso_));
    }
}
