using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Application;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.Billing.Domain.Controls;
using Platform.BuildingBlocks.Scheduling;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Jobs;

/// <summary>
/// What signed contracts' terms make happen with time: installment invoices (drafted at signing) issued ahead of their due dates, milestone
/// funds held once the contract has started, and the late penalty of the late terms once an invoice is past its grace
/// days. Each is keyed by what caused it (contract and step, contract and milestone, the overdue invoice), so a round
/// that runs again, or a second replica, never does it twice.
/// </summary>
public sealed class ContractSchedule(BillingDb db, InvoiceService invoices, StagedRelease release, PrepaidAccountBook accounts,
    IOptions<CommerceOptions> options, ILogger<ContractSchedule> log)
{
    /// <summary>The actor recorded in the audit trail for what the schedule does on its own.</summary>
    public const string Actor = "system:contract-schedule";

    /// <summary>
    /// Issues the draft invoice of every installment (drafted when the contract was signed) whose due date is within the
    /// lead time, a page at a time; answers how many it issued. One that fails is logged and tried again next round,
    /// without holding back the others.
    /// </summary>
    public async Task<int> IssueInstallmentsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var horizon = now.AddDays(options.Value.InstallmentLeadDays);
        var issued = 0;
        (DateTimeOffset DueDate, Guid Id)? after = null;
        while (true)
        {
            var due = db.Set<Invoice>().AsNoTracking()
                .Where(i => i.State == InvoiceState.Draft && i.InstallmentSequence > 0 && i.DueDate <= horizon)
                .Where(i => db.Set<Contract>().Any(c => c.Id == i.ContractId && c.State == ContractState.Signed && c.Entitlement != EntitlementState.Terminated));
            if (after is var (date, id))
            {
                due = due.Where(i => i.DueDate > date || (i.DueDate == date && i.Id.CompareTo(id) > 0));
            }

            var page = await due.OrderBy(i => i.DueDate).ThenBy(i => i.Id).Select(i => new { i.Id, i.DueDate }).Take(options.Value.ScheduleBatchSize).ToListAsync(ct);
            foreach (var invoice in page)
            {
                issued += await AloneAsync(() => invoices.IssueAsync(invoice.Id, ct),
                    e => log.LogWarning(e, "Issuing installment invoice {InvoiceId} failed; the next round tries again", invoice.Id), ct) ? 1 : 0;
            }

            if (page.Count < options.Value.ScheduleBatchSize)
            {
                return issued;
            }

            after = (page[^1].DueDate, page[^1].Id);
        }
    }

    /// <summary>
    /// Holds the funds of every milestone of a started milestone contract that has no hold yet, in the contract's order, as
    /// far as the prepaid balance covers it. A milestone the balance cannot cover yet is tried again on the next round
    /// (after a deposit), and the contract's later milestones with it. Every unheld milestone is looked at each round, a
    /// page at a time, so milestones waiting for funds never keep others from being held.
    /// </summary>
    public async Task<int> HoldMilestonesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var held = 0;
        var waiting = new HashSet<Guid>(); // contracts whose next milestone waits for funds (or failed) this round
        (Guid Contract, int Sequence)? after = null;
        while (true)
        {
            var unheld = db.Set<Contract>().AsNoTracking()
                .Where(c => c.State == ContractState.Signed && c.Terms.PaymentMode == PaymentMode.Milestones && c.Entitlement == EntitlementState.Active
                    && c.Terms.Start <= now)
                .SelectMany(c => c.Terms.PaymentSteps
                    .Where(s => s.Amount > 0 && !db.Set<Hold>().Any(h => h.ContractId == c.Id && h.Milestone == s.Name))
                    .Select(s => new { ContractId = c.Id, c.CustomerId, c.Currency, s.Sequence, s.Name, s.Amount }));
            if (after is var (contract, sequence))
            {
                unheld = unheld.Where(s => s.ContractId.CompareTo(contract) > 0 || (s.ContractId == contract && s.Sequence > sequence));
            }

            var page = await unheld.OrderBy(s => s.ContractId).ThenBy(s => s.Sequence).Take(options.Value.ScheduleBatchSize).ToListAsync(ct);
            foreach (var step in page.Where(s => !waiting.Contains(s.ContractId)))
            {
                held += await AloneAsync(async () =>
                {
                    await accounts.EnsureOpenAsync(step.CustomerId, ct);
                    await release.HoldAsync(step.CustomerId, step.ContractId, step.Name, step.Amount, step.Currency, Actor, ct);
                }, e =>
                {
                    waiting.Add(step.ContractId);
                    if (e is PreconditionFailedException { Reason: "INSUFFICIENT_BALANCE" })
                    {
                        log.LogDebug("Milestone {Milestone} of contract {ContractId} waits for funds", step.Name, step.ContractId);
                    }
                    else
                    {
                        log.LogWarning(e, "Holding milestone {Milestone} of contract {ContractId} failed; the next round tries again", step.Name, step.ContractId);
                    }
                }, ct) ? 1 : 0;
            }

            if (page.Count < options.Value.ScheduleBatchSize)
            {
                return held;
            }

            after = (page[^1].ContractId, page[^1].Sequence);
        }
    }

    /// <summary>
    /// Charges the late penalty of the contract's late terms (basis points of what is still owed) on every invoice
    /// unpaid past its due date plus the grace days, once per invoice, as an invoice of its own due at once.
    /// </summary>
    public async Task<int> ChargeLatePenaltiesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var charged = 0;
        (DateTimeOffset DueDate, Guid Id)? after = null;
        while (true)
        {
            var late = db.Set<Invoice>().AsNoTracking()
                .Where(i => i.State == InvoiceState.Open && i.PenaltyFor == null && i.DueDate < now && i.ContractId != null)
                .Join(db.Set<Contract>(), i => i.ContractId, c => c.Id, (i, c) => new { Invoice = i, c.Terms.GraceDays, c.Terms.PenaltyBasisPoints })
                .Where(x => x.PenaltyBasisPoints > 0 && x.Invoice.DueDate.AddDays(x.GraceDays) < now)
                .Where(x => !db.Set<Invoice>().Any(p => p.PenaltyFor == x.Invoice.Id));
            if (after is var (dueDate, id))
            {
                late = late.Where(x => x.Invoice.DueDate > dueDate || (x.Invoice.DueDate == dueDate && x.Invoice.Id.CompareTo(id) > 0));
            }

            // Paged through, not the first page again: an invoice whose penalty rounds to nothing (a little left owing)
            // stays late without a penalty invoice and must not keep the ones after it from being charged.
            var page = await late.OrderBy(x => x.Invoice.DueDate).ThenBy(x => x.Invoice.Id).Take(options.Value.ScheduleBatchSize).ToListAsync(ct);
            foreach (var item in page)
            {
                var penalty = LateTerms.Penalty(item.Invoice.AmountDue, item.PenaltyBasisPoints);
                if (penalty <= 0)
                {
                    continue;
                }

                charged += await AloneAsync(async () =>
                {
                    var draft = await invoices.CreateAsync(new NewInvoice(item.Invoice.CustomerId, item.Invoice.ContractId,
                        $"late penalty on {item.Invoice.Number} ({item.PenaltyBasisPoints} bp of {item.Invoice.AmountDue:0.00})", penalty, now, PenaltyFor: item.Invoice.Id), ct);
                    await invoices.IssueAsync(draft.Id, ct);
                }, e => log.LogWarning(e, "Charging the late penalty on invoice {InvoiceId} failed; the next round tries again", item.Invoice.Id), ct) ? 1 : 0;
            }

            if (page.Count < options.Value.ScheduleBatchSize)
            {
                return charged;
            }

            after = (page[^1].Invoice.DueDate, page[^1].Invoice.Id);
        }
    }

    /// <summary>
    /// Does one row's <paramref name="work"/> in a transaction of its own. A failure is rolled back, handed to
    /// <paramref name="failed"/> and answered false, so the round goes on with the next row.
    /// </summary>
    private async Task<bool> AloneAsync(Func<Task> work, Action<Exception> failed, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await work();
            await tx.CommitAsync(ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            failed(e);
            return false;
        }
    }
}

/// <summary>Runs the <see cref="ContractSchedule"/> every Billing:Commerce:ScheduleInterval, on one replica at a time.</summary>
public sealed class ContractScheduleJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<CommerceOptions> options, ILogger<ContractScheduleJob> log)
    : ScheduledJob<BillingDb>(scopes, clock, log)
{
    protected override string Name => "billing.contract-schedule";

    protected override TimeSpan Interval => options.Value.ScheduleInterval;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var schedule = services.GetRequiredService<ContractSchedule>();
        return await schedule.IssueInstallmentsAsync(now, ct) + await schedule.HoldMilestonesAsync(now, ct) + await schedule.ChargeLatePenaltiesAsync(now, ct);
    }
}
