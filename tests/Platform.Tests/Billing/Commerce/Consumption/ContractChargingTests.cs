using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Billing.Application;
using Platform.Billing.Commerce.Consumption.Application;
using ChargePlan = Platform.Billing.Commerce.Consumption.Domain.ChargePlan;
using ChargePosting = Platform.Billing.Commerce.Consumption.Domain.ChargePosting;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;
using Domain = Platform.Billing.Commerce.Domain;
using LedgerAccount = Platform.Contracts.Billing.V1.LedgerAccount;

namespace Platform.Tests.Billing.Commerce.Consumption;

/// <summary>The charging job: prepaid contracts' initial fees and service months taken from prepaid money, once.</summary>
public sealed class ContractChargingTests(ConsumptionHost host) : IClassFixture<ConsumptionHost>
{
    private CommerceHost Commerce => host.Commerce;

    [Fact]
    public async Task Monthly_charges_over_the_term_sum_to_the_contract_total_and_rerunning_charges_nothing_twice()
    {
        var customer = Id();
        var start = Commerce.Clock.GetUtcNow();
        var contract = await host.PrepaidContractAsync(customer, await host.ProductAsync(), months: 6, seats: 3);
        var total = contract.Total.ToDecimal();
        await host.DepositAsync(customer, total + 10m);

        await host.ChargeAsync();
        await host.ChargeAsync();
        Assert.Equal(["initial", "month-001"], (await host.ChargesAsync(contract.ContractId)).Select(c => c.Period));

        for (var month = 1; month <= 7; month++) // one month past the term: nothing after it
        {
            Commerce.Clock.Advance(start.AddMonths(month) - Commerce.Clock.GetUtcNow());
            await host.ChargeAsync();
            await host.ChargeAsync();
        }

        var charges = await host.ChargesAsync(contract.ContractId);
        Assert.Equal(["initial", "month-001", "month-002", "month-003", "month-004", "month-005", "month-006"], charges.Select(c => c.Period));
        Assert.Equal(Enumerable.Range(0, 6).Select(n => start.AddMonths(n)), charges.Skip(1).Select(c => c.DueTime.ToDateTimeOffset()));
        Assert.All(charges, c => Assert.Equal(ChargeSettlement.Prepaid, c.Settlement));
        Assert.Equal(total, charges.Sum(c => c.Amount.ToDecimal()));
        Assert.Equal(total, await host.BalanceAsync(customer, LedgerAccount.Revenue));
        Assert.Equal(10m, await host.AvailableAsync(customer));
        Assert.Equal(7, await Commerce.Billing.QueryAsync<BillingDb, int>(db =>
            db.Set<LedgerTransferRow>().CountAsync(t => t.CustomerId == Guid.Parse(customer) && t.Code == ChargePosting.Code)));
        var events = await host.ChargedEventsAsync(contract.ContractId);
        Assert.Equal(7, events.Count);
        using var first = JsonDocument.Parse(events[0]);
        Assert.Equal("prepaid", first.RootElement.GetProperty("settledBy").GetString());
        Assert.Equal(customer, first.RootElement.GetProperty("customerId").GetString());
    }

    [Fact]
    public async Task A_paid_prepayment_invoice_becomes_prepaid_money_that_the_charges_spend_so_the_contract_is_earned_once()
    {
        var customer = Id();
        var start = Commerce.Clock.GetUtcNow();
        var contract = await host.PrepaidContractAsync(customer, await host.ProductAsync(), months: 3);
        var total = contract.Total.ToDecimal();
        var prepayment = Assert.Single((await Commerce.Invoices.ListInvoicesAsync(
            new ListInvoicesRequest { CustomerId = customer, ContractId = contract.ContractId }, Tokens.As(Roles.FinanceClerk))).Invoices);

        await Commerce.Invoices.IssueInvoiceAsync(new IssueInvoiceRequest { RequestId = Id(), InvoiceId = prepayment.InvoiceId }, Tokens.As(Roles.FinanceClerk));
        var bookedAtIssue = await Commerce.Billing.QueryAsync<BillingDb, int>(db => db.Set<LedgerTransferRow>().CountAsync(t => t.CustomerId == Guid.Parse(customer)));
        await host.DepositAsync(customer, total); // names no invoice: it pays the open prepayment invoice, and is prepaid all the same
        var paid = await Commerce.Invoices.GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = prepayment.InvoiceId }, Tokens.As(Roles.FinanceClerk));
        for (var month = 0; month <= 3; month++)
        {
            Commerce.Clock.Advance(start.AddMonths(month) - Commerce.Clock.GetUtcNow());
            await host.ChargeAsync();
        }

        Assert.Equal(0, bookedAtIssue); // no receivable, no revenue: a request for prepayment is not a sale
        Assert.Equal(InvoiceState.Paid, paid.State);
        var charges = await host.ChargesAsync(contract.ContractId);
        Assert.Equal(4, charges.Count);
        Assert.All(charges, c => Assert.Equal(ChargeSettlement.Prepaid, c.Settlement));
        Assert.Equal((total, 0m, 0m), (await host.BalanceAsync(customer, LedgerAccount.Revenue),
            await host.BalanceAsync(customer, LedgerAccount.Receivable), await host.AvailableAsync(customer)));
    }

    [Fact]
    public async Task The_same_charge_from_two_replicas_at_once_is_taken_from_prepaid_once()
    {
        var customer = Id();
        var contract = await host.PrepaidContractAsync(customer, await host.ProductAsync(), months: 3);
        await host.DepositAsync(customer, 5000m);
        var signed = await Commerce.Billing.QueryAsync<BillingDb, Domain.Contract>(db =>
            db.Set<Domain.Contract>().AsSplitQuery().AsNoTracking().SingleAsync(c => c.Id == Guid.Parse(contract.ContractId)));
        var initial = ChargePlan.Of(signed)[0];

        // Two scopes stand for two replicas charging the same period at the same moment.
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var scope = Commerce.Billing.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ChargeDesk>().ChargeAsync(signed, initial, CancellationToken.None);
        }));

        Assert.Equal(results[0].Id, results[1].Id);
        Assert.Equal(ChargePosting.TransferId(signed.Id, initial.FeeItemCode, initial.Period), results[0].TransferId);
        Assert.Equal(initial.Amount, await host.BalanceAsync(customer, LedgerAccount.Revenue));
        Assert.Equal(5000m - initial.Amount, await host.AvailableAsync(customer));
        Assert.Single(await host.ChargedEventsAsync(contract.ContractId));
    }

    [Fact]
    public async Task A_charge_the_balance_does_not_cover_is_invoiced_once_and_owed()
    {
        var customer = Id();
        var contract = await host.PrepaidContractAsync(customer, await host.ProductAsync(), months: 6);
        await host.DepositAsync(customer, 300m); // less than the initial fee, more than a month

        await host.ChargeAsync();
        await host.ChargeAsync();

        var charges = await host.ChargesAsync(contract.ContractId);
        var initial = charges.Single(c => c.Period == "initial");
        var month = charges.Single(c => c.Period == "month-001");
        Assert.Equal((ChargeSettlement.Invoice, ChargeSettlement.Prepaid), (initial.Settlement, month.Settlement));
        var invoices = (await Commerce.Invoices.ListInvoicesAsync(new ListInvoicesRequest { CustomerId = customer, ContractId = contract.ContractId },
            Tokens.As(Roles.FinanceClerk))).Invoices.Where(i => i.State != InvoiceState.Draft).ToList(); // the prepayment invoice stays a draft
        var invoice = Assert.Single(invoices);
        Assert.Equal((initial.InvoiceId, InvoiceState.Open, initial.Amount.ToDecimal()), (invoice.InvoiceId, invoice.State, invoice.Amount.ToDecimal()));
        Assert.Equal(initial.Amount.ToDecimal(), await host.BalanceAsync(customer, LedgerAccount.Receivable));
        Assert.Equal(300m - month.Amount.ToDecimal(), await host.AvailableAsync(customer));
        Assert.Equal(initial.Amount.ToDecimal() + month.Amount.ToDecimal(), await host.BalanceAsync(customer, LedgerAccount.Revenue));
        var events = await host.ChargedEventsAsync(contract.ContractId);
        Assert.Equal(2, events.Count);
        var settled = events.Select(e => JsonSerializer.Deserialize<JsonElement>(e))
            .Select(e => (e.GetProperty("period").GetString(), e.GetProperty("settledBy").GetString(), e.GetProperty("invoiceId").GetString())).ToList();
        Assert.Contains(("initial", "invoice", invoice.InvoiceId), settled);
        Assert.Contains(("month-001", "prepaid", null), settled);
    }

    [Fact]
    public async Task Months_due_while_suspended_are_waived_and_resuming_charges_the_next_ones()
    {
        var customer = Id();
        var start = Commerce.Clock.GetUtcNow();
        var contract = await host.PrepaidContractAsync(customer, await host.ProductAsync(), months: 6);
        await host.DepositAsync(customer, 5000m);
        await host.ChargeAsync();

        await Commerce.Entitlements.SuspendContractAsync(new SuspendContractRequest { RequestId = Id(), ContractId = contract.ContractId, Reason = "overdue elsewhere" },
            Tokens.As(Roles.FinanceClerk));
        for (var month = 1; month <= 2; month++)
        {
            Commerce.Clock.Advance(start.AddMonths(month) - Commerce.Clock.GetUtcNow());
            await host.ChargeAsync();
        }

        await Commerce.Entitlements.ResumeContractAsync(new ResumeContractRequest { RequestId = Id(), ContractId = contract.ContractId, Reason = "paid" },
            Tokens.As(Roles.FinanceClerk));
        await host.ChargeAsync(); // month 3 fell due while suspended: it stays waived
        Commerce.Clock.Advance(start.AddMonths(3) - Commerce.Clock.GetUtcNow());
        await host.ChargeAsync();

        var charges = await host.ChargesAsync(contract.ContractId);
        Assert.Equal(
            [("initial", ChargeSettlement.Prepaid), ("month-001", ChargeSettlement.Prepaid), ("month-002", ChargeSettlement.Waived),
             ("month-003", ChargeSettlement.Waived), ("month-004", ChargeSettlement.Prepaid)],
            charges.Select(c => (c.Period, c.Settlement)));
        var charged = charges.Where(c => c.Settlement == ChargeSettlement.Prepaid).Sum(c => c.Amount.ToDecimal());
        Assert.Equal(charged, await host.BalanceAsync(customer, LedgerAccount.Revenue));
        Assert.Equal(5000m - charged, await host.AvailableAsync(customer));
        Assert.Equal(3, (await host.ChargedEventsAsync(contract.ContractId)).Count); // a waived month is not a charge
    }

    [Fact]
    public async Task Installment_and_milestone_contracts_are_not_charged_from_prepaid()
    {
        var customer = Id();
        var product = await host.ProductAsync();
        var now = Commerce.Clock.GetUtcNow();
        var quote = await Commerce.QuoteAsync(customer, 3, (product.Setup, 1), (product.Seat, 1));
        var terms = Terms(now, PaymentMode.Installments);
        terms.Payment.Steps.Add(new Platform.Contracts.Billing.V1.PaymentStep
        {
            Name = "all",
            DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now.AddDays(40)),
            Amount = quote.Total,
        });
        var draft = await Commerce.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = terms },
            Tokens.As(Roles.SalesRep));
        var installments = await Commerce.SignBothAsync(draft.ContractId);
        await host.DepositAsync(customer, 5000m);

        await host.ChargeAsync();

        Assert.Empty(await host.ChargesAsync(installments.ContractId));
        Assert.Equal(5000m, await host.AvailableAsync(customer));
    }

    [Fact]
    public async Task The_burn_rate_of_the_runway_watch_sees_the_charges()
    {
        var customer = Id();
        var contract = await host.PrepaidContractAsync(customer, await host.ProductAsync(), months: 6);
        var signed = await Commerce.Billing.QueryAsync<BillingDb, Domain.Contract>(db =>
            db.Set<Domain.Contract>().AsSplitQuery().AsNoTracking().SingleAsync(c => c.Id == Guid.Parse(contract.ContractId)));
        var firstDay = ChargePlan.Of(signed).Take(2).Sum(c => c.Amount); // initial fee and month 1
        await host.DepositAsync(customer, firstDay + 300m);

        Assert.False(await RunwayLowAsync()); // nothing consumed yet: no burn, no runway
        await host.ChargeAsync();

        // 300 left at (initial + month 1) / 30 days a day is far below the 14 days of runway.
        Assert.True(await RunwayLowAsync());

        async Task<bool> RunwayLowAsync()
        {
            await using var scope = Commerce.Billing.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PrepaidWatch>().WatchRunwayAsync(Commerce.Clock.GetUtcNow(), CancellationToken.None);
            return (await Commerce.OutboxAsync("PrepaidBalanceLow")).Any(p => p.Contains(customer, StringComparison.Ordinal) && p.Contains("\"runway\"", StringComparison.Ordinal));
        }
    }
}
