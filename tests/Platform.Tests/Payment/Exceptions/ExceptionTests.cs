using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Payment.Recording;
using static Platform.Tests.Payment.Recording.RecordingHost;

namespace Platform.Tests.Payment.Exceptions;

/// <summary>Over- and under-payments from billing's allocation, and the work item queue: owners, ages, resolution.</summary>
public sealed class ExceptionTests(RecordingHost host) : IClassFixture<RecordingHost>
{
    private Task<bool> ConsumedAsync(Guid messageId) => host.Payment.QueryAsync<PaymentDb, bool>(db =>
        db.Set<InboxMessage>().AnyAsync(m => m.MessageId == messageId && m.Consumer == "PaymentAllocatedConsumer"));

    private async Task<List<WorkItem>> ItemsOfAsync(string paymentId, WorkItemKind kind = WorkItemKind.Unspecified)
    {
        var list = await host.Exceptions.ListWorkItemsAsync(new ListWorkItemsRequest { Kind = kind, PageSize = 500 }, Tokens.As(Roles.FinanceClerk));
        return list.WorkItems.Where(w => w.PaymentId == paymentId).ToList();
    }

    [Fact]
    public async Task Allocation_of_named_invoices_opens_over_and_under_payment_items_once_even_when_redelivered_together()
    {
        var customer = Guid.NewGuid();
        var cheque = await host.RecordAsync(Cheque(customer.ToString(), 300m));
        var paid = Guid.NewGuid();
        var short1 = Guid.NewGuid();
        var over = new PaymentAllocated(Guid.NewGuid(), host.Clock.GetUtcNow(), Guid.Parse(cheque.PaymentId), customer, 300m, "CNY",
            [new InvoiceAllocation(paid, 200m, 0m)], 100m, true, "RCP-2026-000001");
        var other = await host.RecordAsync(Cash(customer.ToString(), 150m));
        var under = new PaymentAllocated(Guid.NewGuid(), host.Clock.GetUtcNow(), Guid.Parse(other.PaymentId), customer, 150m, "CNY",
            [new InvoiceAllocation(short1, 150m, 50m)], 0m, true, "RCP-2026-000002");
        var deposit = await host.RecordAsync(Cash(customer.ToString(), 80m));
        var unnamed = new PaymentAllocated(Guid.NewGuid(), host.Clock.GetUtcNow(), Guid.Parse(deposit.PaymentId), customer, 80m, "CNY",
            [new InvoiceAllocation(short1, 30m, 20m)], 50m, false, "RCP-2026-000003");

        // All at once, so that they are applied in batches: redeliveries, and a re-publication under a new event id.
        var republished = over with { EventId = Guid.NewGuid() };
        await Task.WhenAll(new[] { over, under, unnamed, over, under, republished }.Select(host.PublishAsync));

        await Eventually.Until(async () => await ConsumedAsync(over.EventId) && await ConsumedAsync(under.EventId) && await ConsumedAsync(unnamed.EventId)
            && await ConsumedAsync(republished.EventId), done => done, what: "the allocations consumed");
        var overItem = Assert.Single(await ItemsOfAsync(cheque.PaymentId));
        Assert.Equal((WorkItemKind.OverPayment, 100L, customer.ToString(), WorkItemStatus.Open), (overItem.Kind, overItem.Amount.Units, overItem.CustomerId, overItem.Status));
        var underItem = Assert.Single(await ItemsOfAsync(other.PaymentId));
        Assert.Equal((WorkItemKind.UnderPayment, 50L, short1.ToString()), (underItem.Kind, underItem.Amount.Units, underItem.InvoiceId));
        Assert.Empty(await ItemsOfAsync(deposit.PaymentId));

        // A second allocation event of the same payment (a replayed outbox, new event id) opens nothing more.
        var replayed = over with { EventId = Guid.NewGuid() };
        await host.PublishAsync(replayed);
        await Eventually.Until(() => ConsumedAsync(replayed.EventId), done => done, what: "the replay consumed");
        Assert.Single(await ItemsOfAsync(cheque.PaymentId));
    }

    [Fact]
    public async Task Work_items_are_worked_oldest_first_with_owner_age_and_resolution()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var failed = await host.RecordAsync(new RecordPaymentRequest
            {
                RequestId = Id(), CustomerId = Id(), Method = PaymentMethod.WechatPay, Amount = Cny(10m + i),
                Wallet = new WalletDetails { TransactionId = "wx-" + i }, FailureReason = "user cancelled",
            });
            ids.Add((await ItemsOfAsync(failed.PaymentId)).Single().WorkItemId);
            host.Clock.Advance(TimeSpan.FromHours(1));
        }

        var page1 = await host.Exceptions.ListWorkItemsAsync(
            new ListWorkItemsRequest { Kind = WorkItemKind.FailedPayment, Status = WorkItemStatus.Open, PageSize = 2 }, Tokens.As(Roles.FinanceClerk));
        var page2 = await host.Exceptions.ListWorkItemsAsync(
            new ListWorkItemsRequest { Kind = WorkItemKind.FailedPayment, Status = WorkItemStatus.Open, PageSize = 2, PageToken = page1.NextPageToken }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal(ids, page1.WorkItems.Concat(page2.WorkItems).Select(w => w.WorkItemId).Where(ids.Contains));
        Assert.Equal(TimeSpan.FromHours(3), page1.WorkItems.Single(w => w.WorkItemId == ids[0]).Age.ToTimeSpan());

        var assigned = await host.Exceptions.AssignWorkItemAsync(new AssignWorkItemRequest { RequestId = Id(), WorkItemId = ids[1], Owner = "clerk-zhou" }, Tokens.As(Roles.FinanceClerk));
        var mine = await host.Exceptions.ListWorkItemsAsync(new ListWorkItemsRequest { Owner = "clerk-zhou" }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal("clerk-zhou", assigned.Owner);
        Assert.Equal([ids[1]], mine.WorkItems.Select(w => w.WorkItemId));

        var resolved = await host.Exceptions.ResolveWorkItemAsync(
            new ResolveWorkItemRequest { RequestId = Id(), WorkItemId = ids[1], ResolutionNote = "customer paid by card instead" }, Tokens.AsUser("clerk-zhou", Roles.FinanceClerk));
        host.Clock.Advance(TimeSpan.FromDays(2));
        var later = await host.Exceptions.GetWorkItemAsync(new GetWorkItemRequest { WorkItemId = ids[1] }, Tokens.As(Roles.SalesRep));

        Assert.Equal((WorkItemStatus.Resolved, "clerk-zhou", "customer paid by card instead"), (resolved.Status, resolved.ResolvedBy, resolved.ResolutionNote));
        Assert.Equal(TimeSpan.FromHours(2), later.Age.ToTimeSpan());
        var open = await host.Exceptions.ListWorkItemsAsync(new ListWorkItemsRequest { Kind = WorkItemKind.FailedPayment, Status = WorkItemStatus.Open }, Tokens.As(Roles.FinanceClerk));
        Assert.DoesNotContain(ids[1], open.WorkItems.Select(w => w.WorkItemId));
        Assert.Equal(TimeSpan.FromDays(2) + TimeSpan.FromHours(3), open.WorkItems.Single(w => w.WorkItemId == ids[0]).Age.ToTimeSpan());

        var twice = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.ResolveWorkItemAsync(
            new ResolveWorkItemRequest { RequestId = Id(), WorkItemId = ids[1], ResolutionNote = "again" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "WORK_ITEM_RESOLVED"), (twice.StatusCode, Reason(twice)));
    }

    [Fact]
    public async Task Working_the_queue_needs_finance_and_names_bad_fields()
    {
        var denied = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.AssignWorkItemAsync(
            new AssignWorkItemRequest { RequestId = Id(), WorkItemId = Id(), Owner = "me" }, Tokens.As(Roles.SalesRep)).ResponseAsync);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.ResolveWorkItemAsync(
            new ResolveWorkItemRequest { RequestId = Id(), WorkItemId = "x", ResolutionNote = "" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        var badToken = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.ListWorkItemsAsync(
            new ListWorkItemsRequest { PageToken = "nonsense" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.AssignWorkItemAsync(
            new AssignWorkItemRequest { RequestId = Id(), WorkItemId = Id(), Owner = "me" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(["work_item_id", "resolution_note"], Fields(invalid));
        Assert.Equal(["page_token"], Fields(badToken));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
