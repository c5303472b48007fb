using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Jobs;
using Platform.Billing.Data;
using Hold = Platform.Billing.Domain.Controls.Hold;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;
using PaymentStep = Platform.Contracts.Billing.V1.PaymentStep;

namespace Platform.Tests.Billing.Commerce;

/// <summary>Installment invoices issued ahead of their due dates, milestone funds held at the start, late penalties once.</summary>
public sealed class ContractScheduleTests(CommerceHost host) : IClassFixture<CommerceHost>
{
    private async Task<int> RunScheduleAsync()
    {
        // The host's own job may hold the lock at that moment: run until a round of ours completed at the current time.
        int? handled = null;
        await Eventually.Until(async () => handled = await host.Billing.Services.GetRequiredService<ContractScheduleJob>().RunOnceAsync(CancellationToken.None),
            h => h is not null, what: "a schedule round that took the lock");
        return handled!.Value;
    }

    private async Task<List<Invoice>> InvoicesAsync(string customer, string contractId) =>
        (await host.Invoices.ListInvoicesAsync(new ListInvoicesRequest { CustomerId = customer, ContractId = contractId }, Tokens.As(Roles.FinanceClerk)))
        .Invoices.OrderBy(i => i.DueTime.ToDateTimeOffset()).ToList();

    /// <summary>One account's balance, or with null the available balance (prepaid cash plus promotional credit).</summary>
    private async Task<decimal> BalanceAsync(string customer, LedgerAccount? account)
    {
        var balances = await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customer }, Tokens.As(Roles.Service));
        return account is { } one ? balances.Balances.Single(b => b.Account == one).Balance.ToDecimal() : balances.Available.ToDecimal();
    }

    private async Task<Contract> ContractAsync(string customer, PaymentMode mode, DateTimeOffset start, params (string Name, decimal Share, DateTimeOffset Due)[] steps)
    {
        var (setup, seat) = await host.NewProductAsync();
        var quote = await host.QuoteAsync(customer, 12, (setup, 1), (seat, 2));
        var terms = Terms(start, mode);
        var total = quote.Total.ToDecimal();
        var left = total;
        foreach (var (name, share, due) in steps)
        {
            var amount = name == steps[^1].Name ? left : decimal.Round(total * share, 2);
            left -= amount;
            terms.Payment.Steps.Add(new PaymentStep { Name = name, DueTime = Timestamp.FromDateTimeOffset(due), Amount = Cny(amount) });
        }

        var draft = await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = terms }, Tokens.As(Roles.SalesRep));
        return await host.SignBothAsync(draft.ContractId);
    }

    /// <summary>Two contracts of one installment each, due in 5 and 6 days.</summary>
    private async Task<(Contract First, Contract Second)> TwoInstallmentContractsAsync(string customer)
    {
        var now = host.Clock.GetUtcNow();
        return (await ContractAsync(customer, PaymentMode.Installments, now, ("only", 1m, now.AddDays(5))),
            await ContractAsync(customer, PaymentMode.Installments, now, ("only", 1m, now.AddDays(6))));
    }

    private Task Sql(string sql) => host.Billing.QueryAsync<BillingDb, int>(db => db.Database.ExecuteSqlRawAsync(sql));

    /// <summary>One pass of the schedule reading one row at a time, at the current time.</summary>
    private async Task OneAtATimeAsync(Func<ContractSchedule, DateTimeOffset, Task<int>> pass)
    {
        await using var scope = host.Billing.Services.CreateAsyncScope();
        await pass(ActivatorUtilities.CreateInstance<ContractSchedule>(scope.ServiceProvider, Options.Create(new CommerceOptions { ScheduleBatchSize = 1 })),
            host.Clock.GetUtcNow());
    }

    [Fact]
    public async Task Installment_invoices_are_issued_within_the_lead_time_once_and_owed_in_the_ledger()
    {
        var customer = Id();
        var now = host.Clock.GetUtcNow();
        var contract = await ContractAsync(customer, PaymentMode.Installments, now, ("first", 0.5m, now.AddDays(10)), ("second", 0.5m, now.AddDays(40)));

        await RunScheduleAsync();
        await RunScheduleAsync();

        var invoices = await InvoicesAsync(customer, contract.ContractId);
        Assert.Equal([(1, InvoiceState.Open), (2, InvoiceState.Draft)], invoices.Select(i => (i.InstallmentSequence, i.State)));
        Assert.Matches(@"^INV-\d{4}-\d{6}$", invoices[0].Number);
        Assert.Equal(invoices[0].Amount.ToDecimal(), await BalanceAsync(customer, LedgerAccount.Receivable));

        host.Clock.Advance(TimeSpan.FromDays(30)); // the second is now 10 days off, inside the 15-day lead; the first 20 days overdue
        await RunScheduleAsync();

        invoices = await InvoicesAsync(customer, contract.ContractId);
        Assert.All(invoices, i => Assert.Equal(InvoiceState.Open, i.State));
        var installments = invoices.Where(i => i.InstallmentSequence > 0).ToList();
        var penalty = Assert.Single(invoices, i => i.InstallmentSequence == 0); // past the 10 grace days: 100 bp of the first
        Assert.Equal(decimal.Round(installments[0].Amount.ToDecimal() / 100m, 2), penalty.Amount.ToDecimal());
        Assert.Equal(contract.Total.ToDecimal(), installments.Sum(i => i.Amount.ToDecimal()));
        Assert.Equal(contract.Total.ToDecimal() + penalty.Amount.ToDecimal(), await BalanceAsync(customer, LedgerAccount.Receivable));
        Assert.Equal(3, (await host.OutboxAsync("InvoiceIssued")).Count(p => p.Contains(contract.ContractId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Milestone_funds_are_held_when_the_contract_starts_as_far_as_the_balance_covers_them()
    {
        var customer = Id();
        var now = host.Clock.GetUtcNow();
        var contract = await ContractAsync(customer, PaymentMode.Milestones, now.AddDays(3), ("design", 0.6m, now.AddDays(30)), ("rollout", 0.4m, now.AddDays(90)));
        var total = contract.Total.ToDecimal();
        var design = contract.Terms.Payment.Steps[0].Amount.ToDecimal();
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), Guid.Parse(customer), design + 1m, "CNY", "bank_transfer", now));
        await Eventually.Until(() => BalanceAsync(customer, null), a => a == design + 1m, what: "the first deposit");

        Assert.Equal(0, await HoldsAsync());
        host.Clock.Advance(TimeSpan.FromDays(3)); // the contract starts
        await RunScheduleAsync();
        Assert.Equal(1, await HoldsAsync()); // the rollout waits for money
        Assert.Equal((1m, design), (await BalanceAsync(customer, null), await BalanceAsync(customer, LedgerAccount.Held)));

        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), Guid.Parse(customer), total - design, "CNY", "bank_transfer", now));
        await Eventually.Until(() => BalanceAsync(customer, null), a => a == total - design + 1m, what: "the second deposit");
        await RunScheduleAsync();
        await RunScheduleAsync();

        Assert.Equal(2, await HoldsAsync());
        Assert.Equal((1m, total), (await BalanceAsync(customer, null), await BalanceAsync(customer, LedgerAccount.Held)));

        Task<int> HoldsAsync() => host.Billing.QueryAsync<BillingDb, int>(db => db.Set<Hold>().CountAsync(h => h.ContractId == Guid.Parse(contract.ContractId)));
    }

    [Fact]
    public async Task A_milestone_waiting_for_funds_does_not_keep_other_contracts_milestones_from_being_held()
    {
        var now = host.Clock.GetUtcNow();
        var (unfunded, funded) = (Id(), Id());
        var waiting = await ContractAsync(unfunded, PaymentMode.Milestones, now, ("design", 0.5m, now.AddDays(30)), ("rollout", 0.5m, now.AddDays(90)));
        var started = await ContractAsync(funded, PaymentMode.Milestones, now, ("design", 1m, now.AddDays(30)));
        var amount = started.Total.ToDecimal();
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), Guid.Parse(funded), amount, "CNY", "bank_transfer", now));
        await Eventually.Until(() => BalanceAsync(funded, null), a => a == amount, what: "the deposit");

        // A round reading one milestone at a time: the first contract's (signed first) waits for money, the other's is held.
        await OneAtATimeAsync((schedule, now) => schedule.HoldMilestonesAsync(now, CancellationToken.None));

        Assert.Equal(0, await HoldsAsync(waiting.ContractId));
        Assert.Equal(1, await HoldsAsync(started.ContractId));
        Assert.Equal(amount, await BalanceAsync(funded, LedgerAccount.Held));
    }

    [Fact]
    public async Task A_late_invoice_whose_penalty_rounds_to_nothing_does_not_keep_later_ones_from_being_charged()
    {
        var customer = Id();
        var now = host.Clock.GetUtcNow();
        var (first, second) = await TwoInstallmentContractsAsync(customer);
        await RunScheduleAsync(); // both installments issued
        var nearlyPaid = Assert.Single(await InvoicesAsync(customer, first.ContractId));
        var owed = nearlyPaid.Amount.ToDecimal() - 0.40m; // 100 bp of 0.40 rounds to nothing
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), Guid.Parse(customer), owed, "CNY", "bank_transfer", now,
            InvoiceIds: [Guid.Parse(nearlyPaid.InvoiceId)]));
        await Eventually.Until(() => InvoicesAsync(customer, first.ContractId), i => i[0].AmountPaid.ToDecimal() == owed, what: "the part payment");

        host.Clock.Advance(TimeSpan.FromDays(6 + 11)); // both past their 10 grace days
        await OneAtATimeAsync((schedule, now) => schedule.ChargeLatePenaltiesAsync(now, CancellationToken.None));

        Assert.Single(await InvoicesAsync(customer, first.ContractId));
        Assert.Equal(2, (await InvoicesAsync(customer, second.ContractId)).Count); // the installment and its penalty
    }

    [Fact]
    public async Task An_installment_invoice_that_fails_to_issue_does_not_keep_later_ones_from_being_issued()
    {
        var customer = Id();
        var (failing, later) = await TwoInstallmentContractsAsync(customer);
        var stuck = Assert.Single(await InvoicesAsync(customer, failing.ContractId));
        // The database refuses to change the first contract's invoice.
        await using (await DatabaseRefusal.CreateAsync(Sql, "invoices", "BEFORE UPDATE", $"OLD.id = '{Guid.Parse(stuck.InvoiceId)}'"))
        {
            // A round reading one invoice at a time: the first fails, the one after it is issued all the same.
            await OneAtATimeAsync((schedule, now) => schedule.IssueInstallmentsAsync(now, CancellationToken.None));
            Assert.Equal(InvoiceState.Draft, Assert.Single(await InvoicesAsync(customer, failing.ContractId)).State);
            Assert.Equal(InvoiceState.Open, Assert.Single(await InvoicesAsync(customer, later.ContractId)).State);
        }

        await RunScheduleAsync();
        Assert.Equal(InvoiceState.Open, Assert.Single(await InvoicesAsync(customer, failing.ContractId)).State);
    }

    [Fact]
    public async Task A_late_penalty_that_fails_to_be_charged_does_not_keep_later_ones_from_being_charged()
    {
        var customer = Id();
        var (failing, later) = await TwoInstallmentContractsAsync(customer);
        await RunScheduleAsync(); // both installments issued
        var refused = Assert.Single(await InvoicesAsync(customer, failing.ContractId));

        host.Clock.Advance(TimeSpan.FromDays(6 + 11)); // both past their 10 grace days
        await using (await DatabaseRefusal.CreateAsync(Sql, "invoices", "BEFORE INSERT", $"NEW.penalty_for = '{Guid.Parse(refused.InvoiceId)}'"))
        {
            await OneAtATimeAsync((schedule, now) => schedule.ChargeLatePenaltiesAsync(now, CancellationToken.None));
            Assert.Single(await InvoicesAsync(customer, failing.ContractId));
            Assert.Equal(2, (await InvoicesAsync(customer, later.ContractId)).Count); // the installment and its penalty
        }

        await RunScheduleAsync();
        Assert.Equal(2, (await InvoicesAsync(customer, failing.ContractId)).Count);
        Assert.Equal(2, (await InvoicesAsync(customer, later.ContractId)).Count);
    }

    private Task<int> HoldsAsync(string contractId) =>
        host.Billing.QueryAsync<BillingDb, int>(db => db.Set<Hold>().CountAsync(h => h.ContractId == Guid.Parse(contractId)));

    [Fact]
    public async Task Late_penalty_is_charged_once_after_the_grace_days_on_what_is_still_owed()
    {
        var customer = Id();
        var now = host.Clock.GetUtcNow();
        var contract = await ContractAsync(customer, PaymentMode.Installments, now, ("only", 1m, now.AddDays(5)));
        await RunScheduleAsync();
        var installment = Assert.Single(await InvoicesAsync(customer, contract.ContractId));
        var paid = 100m;
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), Guid.Parse(customer), paid, "CNY", "bank_transfer", now,
            InvoiceIds: [Guid.Parse(installment.InvoiceId)]));
        await Eventually.Until(() => BalanceAsync(customer, LedgerAccount.Receivable), r => r == installment.Amount.ToDecimal() - paid, what: "the part payment");

        host.Clock.Advance(TimeSpan.FromDays(5 + 10)); // due date plus the 10 grace days: not past them yet
        await RunScheduleAsync();
        Assert.Single(await InvoicesAsync(customer, contract.ContractId));

        host.Clock.Advance(TimeSpan.FromHours(1));
        await RunScheduleAsync();
        await RunScheduleAsync();

        var invoices = await InvoicesAsync(customer, contract.ContractId);
        Assert.Equal(2, invoices.Count);
        var penalty = invoices.Single(i => i.InvoiceId != installment.InvoiceId);
        // 100 basis points of what was still owed.
        Assert.Equal(decimal.Round((installment.Amount.ToDecimal() - paid) / 100m, 2), penalty.Amount.ToDecimal());
        Assert.Equal(InvoiceState.Open, penalty.State);
        Assert.Contains(installment.Number, penalty.Description, StringComparison.Ordinal);
    }
}
