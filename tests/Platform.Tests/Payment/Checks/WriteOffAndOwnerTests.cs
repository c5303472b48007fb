using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Payment.Collections;
using static Platform.Tests.Payment.Checks.ChecksHost;
using Proto = Platform.Contracts.Payment.V1;
using WorkItem = Platform.Payment.Exceptions.Domain.WorkItem;

namespace Platform.Tests.Payment.Checks;

/// <summary>The end of the dunning ladder (write-off) and owners following their customers.</summary>
public sealed class WriteOffAndOwnerTests(ChecksHost host) : IClassFixture<ChecksHost>
{
    private CollectionsHost Collections => host.Collections;

    /// <summary>A real open invoice in billing, overdue in payment since <c>due + 1</c>, with its open case.</summary>
    private async Task<(Guid Customer, Guid Invoice, Proto.CollectionCase Case, DateTimeOffset Due)> OverdueCaseAsync(decimal amount, Guid? owner = null)
    {
        var customer = await host.RegisteredAsync(owner);
        var due = Collections.Clock.GetUtcNow().AddDays(1);
        var invoice = await host.IssuedInvoiceAsync(customer, amount, due);
        var invoiceId = Guid.Parse(invoice.InvoiceId);
        var issued = new InvoiceIssued(Guid.CreateVersion7(), due.AddDays(-30), invoiceId, invoice.Number, customer, null, amount, "CNY", due);
        await Collections.PublishAsync(issued);
        Collections.Clock.SetUtcNow(due.AddDays(1));
        await Collections.PublishAsync(CollectionsHost.Overdue(issued, due.AddDays(1)));
        return (customer, invoiceId, await Collections.CaseOfAsync(customer, invoiceId), due);
    }

    private async Task<Proto.CollectionCase> WriteOffAsync(Proto.WriteOffCaseRequest request, string role = Roles.FinanceApprover) =>
        await Collections.Collections.WriteOffCaseAsync(request, Tokens.As(role));

    private async Task<Proto.AgingBuckets> AgingAsync(Guid customer, DateTimeOffset? asOf = null)
    {
        var day = (asOf ?? Collections.Clock.GetUtcNow()).UtcDateTime;
        return (await Collections.Collections.GetAgingAsync(new Proto.GetAgingRequest
        {
            CustomerId = customer.ToString(),
            AsOf = new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day },
        }, Tokens.As(Roles.FinanceClerk))).Total;
    }

    private static Proto.WriteOffCaseRequest WriteOff(string caseId) => new() { RequestId = Id(), CaseId = caseId, Reason = "debtor insolvent, claim lodged" };

    [Fact]
    public async Task A_case_at_legal_hand_off_is_written_off_once_billing_marks_the_invoice_uncollectible_and_earlier_or_closed_cases_are_refused()
    {
        var (customer, invoice, opened, due) = await OverdueCaseAsync(1000m);
        await Collections.RunJobAsync(due.AddDays(60));
        Assert.Equal(Proto.DunningStage.Termination, (await Collections.GetCaseAsync(opened.CaseId)).Stage);

        var before = await host.CountsAsync();
        var early = await Assert.ThrowsAsync<RpcException>(() => WriteOffAsync(WriteOff(opened.CaseId)));
        Assert.Equal((StatusCode.FailedPrecondition, "CASE_NOT_AT_LEGAL_HANDOFF"), (early.StatusCode, Precondition(early).Type));
        var clerk = await Assert.ThrowsAsync<RpcException>(() => WriteOffAsync(WriteOff(opened.CaseId), Roles.FinanceClerk));
        Assert.Equal(StatusCode.PermissionDenied, clerk.StatusCode);
        var blank = await Assert.ThrowsAsync<RpcException>(() => WriteOffAsync(new Proto.WriteOffCaseRequest { RequestId = Id(), CaseId = opened.CaseId, Reason = " " }));
        Assert.Equal(["reason"], Fields(blank));
        Assert.Equal(before, await host.CountsAsync());

        await Collections.RunJobAsync(due.AddDays(90));
        Assert.Equal(Proto.DunningStage.LegalHandoff, (await Collections.GetCaseAsync(opened.CaseId)).Stage);
        Assert.Equal(1000m, (await AgingAsync(customer)).Total.ToDecimal());
        var request = WriteOff(opened.CaseId);
        var written = await WriteOffAsync(request);
        Assert.Equal((false, "written_off", 1000m), (written.Open, written.CloseReason, written.AmountDue.ToDecimal()));
        Assert.Equal(written, await WriteOffAsync(request));
        // Bad debt now, no longer a receivable: it leaves the aging (as of today; the past keeps it).
        Assert.Equal(0m, (await AgingAsync(customer)).Total.ToDecimal());
        Assert.Equal(1000m, (await AgingAsync(customer, due.AddDays(89))).Total.ToDecimal());

        var closed = Assert.Single(await Collections.EventsAsync("CollectionsCaseClosed", opened.CaseId));
        Assert.Equal(("written_off", 1000m, "CNY"), (closed.GetProperty("reason").GetString(), closed.GetProperty("amountWrittenOff").GetDecimal(),
            closed.GetProperty("currency").GetString()));

        // The collections job carries the write-off to billing (service identity, the action's id as request_id).
        await Collections.RunJobAsync(due.AddDays(90));
        var billed = await Collections.Commerce.Invoices.GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = invoice.ToString() }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal(InvoiceState.Uncollectible, billed.State);
        var action = await Collections.Payment.QueryAsync<PaymentDb, ContractAction>(db =>
            db.Set<ContractAction>().SingleAsync(a => a.CaseId == Guid.Parse(opened.CaseId)));
        Assert.Equal((ContractActionKind.Uncollectible, (string?)null, 1), (action.Kind, action.LastError, action.Attempts));
        Assert.NotNull(action.DoneAt);

        var again = await Assert.ThrowsAsync<RpcException>(() => WriteOffAsync(WriteOff(opened.CaseId)));
        Assert.Equal((StatusCode.FailedPrecondition, "CASE_CLOSED"), (again.StatusCode, Precondition(again).Type));
    }

    [Fact]
    public async Task A_write_off_with_a_reason_as_long_as_allowed_still_has_billing_mark_the_invoice_uncollectible()
    {
        var (_, invoice, opened, due) = await OverdueCaseAsync(600m);
        await Collections.RunJobAsync(due.AddDays(90));
        var reason = string.Concat(Enumerable.Repeat("debtor insolvent, claim lodged with the administrator; ", 10))[..500];

        var written = await WriteOffAsync(new Proto.WriteOffCaseRequest { RequestId = Id(), CaseId = opened.CaseId, Reason = reason });
        await Collections.RunJobAsync(due.AddDays(90));

        Assert.Equal("written_off", written.CloseReason);
        var billed = await Collections.Commerce.Invoices.GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = invoice.ToString() }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal(InvoiceState.Uncollectible, billed.State);
        var action = await Collections.Payment.QueryAsync<PaymentDb, ContractAction>(db =>
            db.Set<ContractAction>().SingleAsync(a => a.CaseId == Guid.Parse(opened.CaseId)));
        Assert.Equal((ContractAction.MaxReasonLength, (string?)null), (action.Reason.Length, action.LastError));
        Assert.StartsWith($"collections: invoice {billed.Number} written off: debtor insolvent", action.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_owner_takes_over_the_customers_open_cases_and_the_work_items_the_previous_owner_held()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var customer = await host.RegisteredAsync(first);
        await host.KnownAsync(customer, c => c?.OwnerId == first, "payment to know the owner");
        var invoice = Guid.CreateVersion7();
        var issued = CollectionsHost.Issued(invoice, customer, null, 400m, Collections.Clock.GetUtcNow());
        await Collections.PublishAsync(issued);
        await Collections.PublishAsync(CollectionsHost.Overdue(issued, Collections.Clock.GetUtcNow().AddDays(1)));
        var @case = await Collections.CaseOfAsync(customer, invoice);
        Assert.Equal(first.ToString(), @case.OwnerId);
        var held = await FailedCardWorkItemAsync(customer, first.ToString());
        var clerks = await FailedCardWorkItemAsync(customer, "clerk-7");

        var read = await host.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.ToString() }, Tokens.As(Roles.SalesRep));
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await host.Customers.UpdateCustomerAsync(OwnerUpdate(read, second), Tokens.As(Roles.SalesRep)));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var updated = await host.Customers.UpdateCustomerAsync(OwnerUpdate(read, second), Tokens.As(Roles.SalesManager));
        Assert.Equal(second.ToString(), updated.OwnerId);
        // The same owner again is no change: no second event.
        await host.Customers.UpdateCustomerAsync(OwnerUpdate(updated, second), Tokens.As(Roles.SalesManager));
        var raised = Assert.Single(await OwnerChangesAsync(customer));
        Assert.Equal((first.ToString(), second.ToString()), (raised.GetProperty("previousOwnerId").GetString(), raised.GetProperty("ownerId").GetString()));

        await Eventually.Until(() => Collections.GetCaseAsync(@case.CaseId), c => c.OwnerId == second.ToString(), what: "the case to follow the owner");
        Assert.Equal(second.ToString(), await OwnerOfAsync(held));
        Assert.Equal("clerk-7", await OwnerOfAsync(clerks));

        // A late event older than the change applied changes nothing.
        var late = new CustomerOwnerChanged(Guid.CreateVersion7(), Collections.Clock.GetUtcNow().AddDays(-400), customer, second, first);
        await Collections.PublishAsync(late);
        await Eventually.Until(() => Collections.Payment.QueryAsync<PaymentDb, bool>(db => db.Set<InboxMessage>().AnyAsync(m => m.MessageId == late.EventId)),
            seen => seen, what: "the late event to be consumed");
        Assert.Equal(second.ToString(), (await Collections.GetCaseAsync(@case.CaseId)).OwnerId);
        Assert.Equal(second.ToString(), await OwnerOfAsync(held));
    }

    private static UpdateCustomerRequest OwnerUpdate(Contracts.Customer.V1.Customer read, Guid owner) => new()
    {
        RequestId = Id(),
        Customer = new Contracts.Customer.V1.Customer { CustomerId = read.CustomerId, Etag = read.Etag, OwnerId = owner.ToString() },
        UpdateMask = new FieldMask { Paths = { "owner_id" } },
    };

    private Task<List<JsonElement>> OwnerChangesAsync(Guid customer) => host.Customer.QueryAsync<CustomerDb, List<JsonElement>>(async db =>
        (await db.Set<OutboxMessage>().Where(m => m.MessageType == "Platform.Contracts.Events.CustomerOwnerChanged").Select(m => m.Payload).ToListAsync())
        .Select(p => JsonDocument.Parse(p).RootElement).Where(e => e.GetProperty("customerId").GetString() == customer.ToString()).ToList());

    /// <summary>A declined card payment of the customer: its failed-payment work item, assigned to <paramref name="owner"/>.</summary>
    private async Task<string> FailedCardWorkItemAsync(Guid customer, string owner)
    {
        var request = Cash(customer, 60m);
        request.Method = Proto.PaymentMethod.Card;
        request.Card = new Proto.CardDetails { Last4 = "4242" };
        request.FailureReason = "card declined";
        var payment = await host.Payments.RecordPaymentAsync(request, Tokens.As(Roles.FinanceClerk));
        var item = await Collections.Payment.QueryAsync<PaymentDb, Guid>(db =>
            db.Set<WorkItem>().Where(w => w.PaymentId == Guid.Parse(payment.PaymentId)).Select(w => w.Id).SingleAsync());
        var exceptions = new Proto.PaymentExceptions.PaymentExceptionsClient(Collections.Payment.Channel);
        await exceptions.AssignWorkItemAsync(new Proto.AssignWorkItemRequest { RequestId = Id(), WorkItemId = item.ToString(), Owner = owner },
            Tokens.As(Roles.FinanceClerk));
        return item.ToString();
    }

    private Task<string?> OwnerOfAsync(string workItem) => Collections.Payment.QueryAsync<PaymentDb, string?>(db =>
        db.Set<WorkItem>().Where(w => w.Id == Guid.Parse(workItem)).Select(w => w.Owner).SingleAsync());
}
