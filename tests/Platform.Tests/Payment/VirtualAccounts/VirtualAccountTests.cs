using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Events;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using VirtualAccountNumber = Platform.Payment.VirtualAccounts.Domain.VirtualAccountNumber;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Payment.Recording;
using static Platform.Tests.Payment.Recording.RecordingHost;
using WorkItemKind = Platform.Payment.Exceptions.Domain.WorkItemKind;

namespace Platform.Tests.Payment.VirtualAccounts;

/// <summary>One virtual account per customer; transfers into it are the customer's money, unknown numbers go to suspense.</summary>
public sealed class VirtualAccountTests(RecordingHost host) : IClassFixture<RecordingHost>
{
    private RecordIncomingTransferRequest Transfer(string number, decimal amount) => new()
    {
        RequestId = Id(),
        VirtualAccountNumber = number,
        Amount = Cny(amount),
        Reference = "BANK-" + Guid.NewGuid().ToString("N")[..10],
        PayerName = "Zhejiang Silk Ltd.",
        PayerAccount = "6222000011112222",
        BookedTime = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddMinutes(-3)),
    };

    [Fact]
    public async Task Registered_customer_gets_one_virtual_account_with_a_check_digit_even_when_the_event_repeats()
    {
        var customer = Guid.NewGuid();
        var registered = new CustomerRegistered(Guid.NewGuid(), host.Clock.GetUtcNow(), customer, "organization", null);

        await host.PublishAsync(registered);
        await host.PublishAsync(registered);
        var account = await Eventually.Until(
            () => host.VirtualAccounts.GetVirtualAccountAsync(new GetVirtualAccountRequest { CustomerId = customer.ToString() }, Tokens.As(Roles.SalesRep)).ResponseAsync,
            a => a.Number.Length > 0, what: "the virtual account of a registered customer");
        var assigned = await host.VirtualAccounts.AssignVirtualAccountAsync(
            new AssignVirtualAccountRequest { RequestId = Id(), CustomerId = customer.ToString() }, Tokens.As(Roles.FinanceClerk));

        Assert.Equal(account.Number, assigned.Number);
        Assert.StartsWith("8801", account.Number, StringComparison.Ordinal);
        Assert.Equal(15, account.Number.Length);
        Assert.True(VirtualAccountNumber.IsWellFormed(account.Number));
        await Eventually.Until(() => Task.FromResult(host.Payment.Consumed.Of(registered.EventId)), n => n >= 2, what: "the repeat consumed");
        Assert.Equal(1, await host.Payment.QueryAsync<PaymentDb, int>(db => db.Set<Platform.Payment.VirtualAccounts.Domain.VirtualAccount>().CountAsync(a => a.CustomerId == customer)));
    }

    [Fact]
    public async Task Customers_assigned_on_demand_get_distinct_numbers_and_one_each_under_concurrency()
    {
        var customers = Enumerable.Range(0, 5).Select(_ => Id()).ToList();

        var accounts = await Task.WhenAll(customers.SelectMany(c => Enumerable.Range(0, 3).Select(_ =>
            host.VirtualAccounts.AssignVirtualAccountAsync(new AssignVirtualAccountRequest { RequestId = Id(), CustomerId = c }, Tokens.As(Roles.FinanceClerk)).ResponseAsync)));

        Assert.Equal(5, accounts.Select(a => a.Number).Distinct().Count());
        Assert.All(accounts.GroupBy(a => a.CustomerId), g => Assert.Single(g.Select(a => a.Number).Distinct()));
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            host.VirtualAccounts.GetVirtualAccountAsync(new GetVirtualAccountRequest { CustomerId = Id() }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Transfer_into_a_customers_virtual_account_is_their_received_payment()
    {
        var customer = Id();
        var account = await host.VirtualAccounts.AssignVirtualAccountAsync(new AssignVirtualAccountRequest { RequestId = Id(), CustomerId = customer }, Tokens.As(Roles.FinanceClerk));

        var payment = await host.VirtualAccounts.RecordIncomingTransferAsync(Transfer(account.Number, 1500m), Tokens.As(Roles.Service));

        Assert.Equal((customer, PaymentState.Received, PaymentMethod.VirtualAccount, account.Number),
            (payment.CustomerId, payment.State, payment.Method, payment.VirtualAccountNumber));
        var announced = Assert.Single(await host.OutboxAsync("PaymentReceived", payment.PaymentId));
        Assert.Equal(("virtual_account", customer, 1500m),
            (announced.GetProperty("method").GetString(), announced.GetProperty("customerId").GetString(), announced.GetProperty("amount").GetDecimal()));
        Assert.Empty(await host.WorkItemsOfAsync(payment.PaymentId));
    }

    [Fact]
    public async Task Transfer_into_a_merged_customers_account_goes_to_the_survivor_and_into_an_erased_ones_to_suspense()
    {
        var (merged, survivor, erased) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var mergedAccount = await host.VirtualAccounts.AssignVirtualAccountAsync(new AssignVirtualAccountRequest { RequestId = Id(), CustomerId = merged.ToString() }, Tokens.As(Roles.FinanceClerk));
        var erasedAccount = await host.VirtualAccounts.AssignVirtualAccountAsync(new AssignVirtualAccountRequest { RequestId = Id(), CustomerId = erased.ToString() }, Tokens.As(Roles.FinanceClerk));
        await host.PublishAsync(new CustomersMerged(Guid.NewGuid(), host.Clock.GetUtcNow(), survivor, merged));
        await host.PublishAsync(new CustomerErased(Guid.NewGuid(), host.Clock.GetUtcNow(), erased));
        await Eventually.Until(() => host.Payment.QueryAsync<PaymentDb, int>(db => db.Set<Platform.Payment.Checks.Domain.KnownCustomer>()
            .CountAsync(c => c.CustomerId == merged || c.CustomerId == erased)), n => n == 2, what: "payment to hear of the merge and the erasure");

        var toSurvivor = await host.VirtualAccounts.RecordIncomingTransferAsync(Transfer(mergedAccount.Number, 300m), Tokens.As(Roles.Service));
        var held = await host.VirtualAccounts.RecordIncomingTransferAsync(Transfer(erasedAccount.Number, 200m), Tokens.As(Roles.Service));

        Assert.Equal((survivor.ToString(), PaymentState.Received), (toSurvivor.CustomerId, toSurvivor.State));
        Assert.Equal(survivor.ToString(), Assert.Single(await host.OutboxAsync("PaymentReceived", toSurvivor.PaymentId)).GetProperty("customerId").GetString());
        Assert.Equal((PaymentState.Unidentified, ""), (held.State, held.CustomerId));
        Assert.Empty(await host.OutboxAsync("PaymentReceived", held.PaymentId));
        Assert.Equal(WorkItemKind.UnidentifiedPayer, Assert.Single(await host.WorkItemsOfAsync(held.PaymentId)).Kind);
    }

    [Fact]
    public async Task Transfer_into_an_unknown_number_waits_in_suspense_until_a_clerk_matches_it()
    {
        var customer = Id();
        var invoice = Id();
        var owned = await host.VirtualAccounts.AssignVirtualAccountAsync(new AssignVirtualAccountRequest { RequestId = Id(), CustomerId = Id() }, Tokens.As(Roles.FinanceClerk));
        var mistyped = owned.Number[..^2] + (char)('0' + ((owned.Number[^2] - '0' + 1) % 10)) + owned.Number[^1];

        var suspense = await host.VirtualAccounts.RecordIncomingTransferAsync(Transfer(mistyped, 640m), Tokens.As(Roles.FinanceClerk));

        Assert.Equal((PaymentState.Unidentified, ""), (suspense.State, suspense.CustomerId));
        Assert.Empty(await host.OutboxAsync("PaymentReceived", suspense.PaymentId));
        var item = Assert.Single(await host.WorkItemsOfAsync(suspense.PaymentId));
        Assert.Equal((WorkItemKind.UnidentifiedPayer, null, true), (item.Kind, item.CustomerId, item.IsOpen));
        var resolve = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.ResolveWorkItemAsync(
            new ResolveWorkItemRequest { RequestId = Id(), WorkItemId = item.Id.ToString(), ResolutionNote = "looked at it" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "MATCH_REQUIRED"), (resolve.StatusCode, Reason(resolve)));

        var match = new MatchPaymentRequest { RequestId = Id(), PaymentId = suspense.PaymentId, CustomerId = customer, Note = "payer called, invoice on the remittance" };
        match.InvoiceIds.Add(invoice);
        var matched = await host.Exceptions.MatchPaymentAsync(match, Tokens.AsUser("clerk-li", Roles.FinanceClerk));

        Assert.Equal((PaymentState.Received, customer, invoice), (matched.State, matched.CustomerId, matched.InvoiceIds.Single()));
        var announced = Assert.Single(await host.OutboxAsync("PaymentReceived", suspense.PaymentId));
        Assert.Equal((customer, invoice), (announced.GetProperty("customerId").GetString(), announced.GetProperty("invoiceIds")[0].GetString()));
        var resolved = Assert.Single(await host.WorkItemsOfAsync(suspense.PaymentId));
        Assert.Equal((false, "clerk-li", Guid.Parse(customer)), (resolved.IsOpen, resolved.ResolvedBy, resolved.CustomerId));

        var again = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.MatchPaymentAsync(
            new MatchPaymentRequest { RequestId = Id(), PaymentId = suspense.PaymentId, CustomerId = Id() }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "PAYMENT_NOT_UNIDENTIFIED"), (again.StatusCode, Reason(again)));
        Assert.Single(await host.OutboxAsync("PaymentReceived", suspense.PaymentId));
    }

    [Fact]
    public async Task A_received_payment_cannot_be_matched_to_someone_else()
    {
        var cash = await host.RecordAsync(Cash(Id(), 10m));

        var e = await Assert.ThrowsAsync<RpcException>(() => host.Exceptions.MatchPaymentAsync(
            new MatchPaymentRequest { RequestId = Id(), PaymentId = cash.PaymentId, CustomerId = Id() }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);

        Assert.Equal((StatusCode.FailedPrecondition, "PAYMENT_NOT_UNIDENTIFIED"), (e.StatusCode, Reason(e)));
    }

    [Fact]
    public async Task Incoming_transfer_is_for_the_bank_integration_and_finance_only_and_checks_its_fields()
    {
        var before = await host.CountsAsync();

        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            host.VirtualAccounts.RecordIncomingTransferAsync(Transfer("880100000000017", 10m), Tokens.As(Roles.SalesRep)).ResponseAsync);
        var bad = Transfer("", -1m);
        bad.Reference = "";
        bad.BookedTime = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddHours(1));
        var invalid = await Assert.ThrowsAsync<RpcException>(() => host.VirtualAccounts.RecordIncomingTransferAsync(bad, Tokens.As(Roles.Service)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal(["virtual_account_number", "amount", "reference", "booked_time"], Fields(invalid));
        Assert.Equal(before, await host.CountsAsync());
    }
}
