using System.Text.Json;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.Payment.Merges;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Payment.Checks;
using static Platform.Tests.Payment.Collections.CollectionsHost;
using Proto = Platform.Contracts.Payment.V1;
using WorkItem = Platform.Payment.Exceptions.Domain.WorkItem;

namespace Platform.Tests.Payment.Merges;

/// <summary>
/// A merge in the real customer service reaching payment: the merged customer's receivables, open cases with their promises
/// and open work items follow the survivor with their history, and so do billing's later events for the merged id.
/// </summary>
public sealed class MergeTests(ChecksHost host) : IClassFixture<ChecksHost>
{
    private Task<List<AuditEntry>> AuditAsync(string subject) =>
        host.Collections.Payment.QueryAsync<PaymentDb, List<AuditEntry>>(db => db.Set<AuditEntry>().AsNoTracking().Where(a => a.Subject == subject).OrderBy(a => a.Id).ToListAsync());

    private Task<List<WorkItem>> WorkItemsAsync(Guid paymentId) =>
        host.Collections.Payment.QueryAsync<PaymentDb, List<WorkItem>>(db => db.Set<WorkItem>().AsNoTracking().Where(w => w.PaymentId == paymentId).ToListAsync());

    private Task<Receivable?> ReceivableAsync(Guid invoiceId) =>
        host.Collections.Payment.QueryAsync<PaymentDb, Receivable?>(db => db.Set<Receivable>().AsNoTracking().SingleOrDefaultAsync(r => r.InvoiceId == invoiceId));

    private async Task<decimal> AgingTotalAsync(Guid customer) =>
        (await host.Collections.Collections.GetAgingAsync(new Proto.GetAgingRequest { CustomerId = customer.ToString() }, Tokens.As(Roles.FinanceApprover)))
        .Total.Total.ToDecimal();

    /// <summary>An overdue invoice of <paramref name="customer"/> with its open case, partly paid, leaving an under-payment work item.</summary>
    /// <param name="caseOf">The customer whose case list shows the case.</param>
    private async Task<(InvoiceIssued Issued, Proto.CollectionCase Case, Guid PaymentId)> OverdueWithCaseAsync(Guid customer, Guid caseOf)
    {
        var now = host.Collections.Clock.GetUtcNow();
        var issued = Issued(Guid.CreateVersion7(), customer, null, 600m, now.AddDays(-20));
        await host.Collections.PublishAsync(issued);
        await host.Collections.PublishAsync(Overdue(issued, now.AddDays(-1)));
        var opened = await host.Collections.CaseOfAsync(caseOf, issued.InvoiceId);
        var allocated = Allocated(customer, issued.InvoiceId, 100m, 500m, now);
        await host.Collections.PublishAsync(allocated);
        // Two consumers take the allocation: one opens the work item, the other lowers what the receivable has due.
        await Eventually.Until(() => WorkItemsAsync(allocated.PaymentId), w => w.Count == 1, what: "the under-payment work item");
        await Eventually.Until(() => ReceivableAsync(issued.InvoiceId), r => r?.AmountDue == 500m, what: "the receivable to have 500 due");
        return (issued, opened, allocated.PaymentId);
    }

    [Fact]
    public async Task Merge_moves_receivables_open_cases_with_their_promise_and_open_work_items_to_the_survivor_keeping_history()
    {
        var survivorOwner = Guid.CreateVersion7();
        var survivor = await host.RegisteredAsync(survivorOwner);
        var merged = await host.RegisteredAsync(Guid.CreateVersion7());
        var (issued, opened, paymentId) = await OverdueWithCaseAsync(merged, merged);
        var promiseDate = DateOnly.FromDateTime(host.Collections.Clock.GetUtcNow().AddDays(10).UtcDateTime);
        await host.Collections.Collections.RecordPromiseToPayAsync(new Proto.RecordPromiseToPayRequest
        {
            RequestId = ChecksHost.Id(),
            CaseId = opened.CaseId,
            Amount = 500m.ToMoney("CNY"),
            PromisedDate = new Google.Type.Date { Year = promiseDate.Year, Month = promiseDate.Month, Day = promiseDate.Day },
        }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal(500m, await AgingTotalAsync(merged));

        await host.MergedAsync(survivor, merged);

        var moved = await host.Collections.GetCaseAsync(opened.CaseId);
        Assert.Equal((survivor.ToString(), survivorOwner.ToString()), (moved.CustomerId, moved.OwnerId));
        Assert.Equal((Proto.PromiseState.Pending, 500m), (moved.Promise.State, moved.Promise.Amount.ToDecimal()));
        Assert.Equal(survivor, Assert.Single(await WorkItemsAsync(paymentId)).CustomerId);
        Assert.Equal(survivor, (await ReceivableAsync(issued.InvoiceId))!.CustomerId);
        Assert.Equal(500m, await AgingTotalAsync(survivor));
        Assert.Equal(0m, await AgingTotalAsync(merged));

        // History: who moved each row, when and why, and the customer it had before.
        foreach (var subject in new[] { $"collection-cases/{opened.CaseId}", $"payment-work-items/{Assert.Single(await WorkItemsAsync(paymentId)).Id}",
                     $"receivables/{issued.InvoiceId}" })
        {
            var entry = Assert.Single(await AuditAsync(subject), a => a.Action.EndsWith("_merged", StringComparison.Ordinal) || a.Action.EndsWith(".merged", StringComparison.Ordinal));
            Assert.Equal(MergeFollower.Actor, entry.Actor);
            var details = JsonDocument.Parse(entry.Details).RootElement;
            Assert.Equal(merged.ToString(), details.GetProperty("before").GetProperty("customerId").GetString());
            Assert.Equal(survivor.ToString(), details.GetProperty("after").GetProperty("customerId").GetString());
            Assert.Equal(merged.ToString(), details.GetProperty("why").GetProperty("mergedFrom").GetString());
        }
    }

    [Fact]
    public async Task Billing_events_for_the_merged_customer_arriving_after_the_merge_land_on_the_survivor()
    {
        var survivor = await host.RegisteredAsync();
        var merged = await host.RegisteredAsync();
        await host.MergedAsync(survivor, merged);

        var (issued, opened, paymentId) = await OverdueWithCaseAsync(merged, caseOf: survivor);

        Assert.Equal(survivor.ToString(), opened.CustomerId);
        Assert.Equal(survivor, Assert.Single(await WorkItemsAsync(paymentId)).CustomerId);
        Assert.Equal(survivor, (await ReceivableAsync(issued.InvoiceId))!.CustomerId);
        Assert.Equal(500m, await AgingTotalAsync(survivor));
    }

    [Fact]
    public async Task A_payment_recorded_for_the_merged_customer_after_the_merge_is_refused_naming_the_survivor()
    {
        var survivor = await host.RegisteredAsync();
        var merged = await host.RegisteredAsync();
        await host.MergedAsync(survivor, merged);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Payments.RecordPaymentAsync(ChecksHost.Cash(merged, 80m), Tokens.As(Roles.FinanceClerk)));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("CUSTOMER_MERGED", ChecksHost.Precondition(refused).Type);
        Assert.Contains(survivor.ToString(), refused.Status.Detail);
    }

    [Fact]
    public async Task The_survivors_credit_counts_the_merged_customers_payment_history()
    {
        var survivor = await host.RegisteredAsync();
        var merged = await host.RegisteredAsync();
        var now = host.Collections.Clock.GetUtcNow();
        await host.Collections.Payment.QueryAsync<PaymentDb, int>(db => BouncedChequesAsync(db, merged, 2, 300m, now));
        Assert.Equal(0, (await AssessAsync(survivor)).Factors.BouncedPayments);

        await host.MergedAsync(survivor, merged);

        Assert.Equal(2, (await AssessAsync(survivor)).Factors.BouncedPayments);
    }

    private async Task<Proto.CreditAssessment> AssessAsync(Guid customer) =>
        await host.Collections.Credit.GetCreditAssessmentAsync(new Proto.GetCreditAssessmentRequest { CustomerId = customer.ToString() }, Tokens.As(Roles.Service));
}
