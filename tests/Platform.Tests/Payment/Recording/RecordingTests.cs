using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Data;
using Platform.Contracts.Payment.V1;
using WorkItemKind = Platform.Payment.Exceptions.Domain.WorkItemKind;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Payment.Recording.RecordingHost;

namespace Platform.Tests.Payment.Recording;

/// <summary>Recording every method with its details, cheque clearing and bouncing, failed attempts, and who may record.</summary>
public sealed class RecordingTests(RecordingHost host) : IClassFixture<RecordingHost>
{
    [Fact]
    public async Task Every_method_is_recorded_with_its_details_and_received_money_is_announced_once()
    {
        var customer = Id();
        var received = host.Clock.GetUtcNow().AddHours(-2);
        var card = await host.RecordAsync(new RecordPaymentRequest
        {
            RequestId = Id(), CustomerId = customer, Method = PaymentMethod.Card, Amount = Cny(120.5m), Reference = "POS-88",
            Card = new CardDetails { Last4 = "4242", AuthorizationCode = "A1B2C3" }, ReceiveTime = Timestamp.FromDateTimeOffset(received),
        });
        var transfer = await host.RecordAsync(new RecordPaymentRequest
        {
            RequestId = Id(), CustomerId = customer, Method = PaymentMethod.BankTransfer, Amount = Cny(300m), Reference = "CMB-20261125-1",
            Transfer = new TransferDetails { PayerName = "Hangzhou Tea Co.", PayerAccount = "6222020200112233" },
        });
        var alipay = await host.RecordAsync(new RecordPaymentRequest
        {
            RequestId = Id(), CustomerId = customer, Method = PaymentMethod.Alipay, Amount = Cny(50m),
            Wallet = new WalletDetails { TransactionId = "2026112522001", PayerAccount = "wang***@163.com" },
        });
        var wechat = await host.RecordAsync(new RecordPaymentRequest
        {
            RequestId = Id(), CustomerId = customer, Method = PaymentMethod.WechatPay, Amount = Cny(60m),
            Wallet = new WalletDetails { TransactionId = "4200001234" },
        });
        var virtualAccount = await host.RecordAsync(new RecordPaymentRequest
        {
            RequestId = Id(), CustomerId = customer, Method = PaymentMethod.VirtualAccount, Amount = Cny(70m), Reference = "ICBC-9",
            Transfer = new TransferDetails { PayerAccount = "6212260000998877" },
        });
        var contractId = Id();
        var cashRequest = Cash(customer, 10m);
        cashRequest.ContractId = contractId;
        var cash = await host.RecordAsync(cashRequest);

        Assert.All(new[] { card, transfer, alipay, wechat, virtualAccount, cash }, p => Assert.Equal(PaymentState.Received, p.State));
        Assert.Equal(("4242", "A1B2C3", "POS-88"), (card.Card.Last4, card.Card.AuthorizationCode, card.Reference));
        Assert.Equal(received, card.ReceiveTime.ToDateTimeOffset());
        Assert.Equal("************2233", transfer.Transfer.PayerAccount);
        Assert.Equal("2026112522001", alipay.Wallet.TransactionId);
        Assert.Equal("4200001234", wechat.Wallet.TransactionId);
        Assert.Equal(contractId, cash.ContractId);
        Assert.Equal("test-user", cash.Collector);

        var unmasked = await host.Payments.GetPaymentAsync(new GetPaymentRequest { PaymentId = transfer.PaymentId }, Tokens.As(Roles.FinanceClerk, Roles.PiiReader));
        Assert.Equal(("Hangzhou Tea Co.", "6222020200112233"), (unmasked.Transfer.PayerName, unmasked.Transfer.PayerAccount));

        foreach (var (payment, wire) in new[] { (card, "card"), (transfer, "bank_transfer"), (alipay, "alipay"), (wechat, "wechat_pay"), (virtualAccount, "virtual_account"), (cash, "cash") })
        {
            var announced = Assert.Single(await host.OutboxAsync("PaymentReceived", payment.PaymentId));
            Assert.Equal((wire, customer), (announced.GetProperty("method").GetString(), announced.GetProperty("customerId").GetString()));
            Assert.Equal(payment.Amount.Units + payment.Amount.Nanos / 1e9m, announced.GetProperty("amount").GetDecimal());
        }

        Assert.Equal(contractId, (await host.OutboxAsync("PaymentReceived", cash.PaymentId))[0].GetProperty("contractId").GetString());
    }

    [Fact]
    public async Task Cheque_is_pending_until_it_clears_and_only_then_announced()
    {
        var customer = Id();
        var invoice = Id();
        var request = Cheque(customer, 800m);
        request.InvoiceIds.Add(invoice);

        var pending = await host.RecordAsync(request);

        Assert.Equal(PaymentState.Pending, pending.State);
        Assert.Equal(("000123", "Bank of Hangzhou"), (pending.Cheque.ChequeNumber, pending.Cheque.DrawerBank));
        Assert.Empty(await host.OutboxAsync("PaymentReceived", pending.PaymentId));

        var cleared = await host.Payments.ClearChequeAsync(new ClearChequeRequest { RequestId = Id(), PaymentId = pending.PaymentId }, Tokens.As(Roles.FinanceClerk));

        Assert.Equal(PaymentState.Received, cleared.State);
        var announced = Assert.Single(await host.OutboxAsync("PaymentReceived", pending.PaymentId));
        Assert.Equal(("cheque", invoice), (announced.GetProperty("method").GetString(), announced.GetProperty("invoiceIds")[0].GetString()));
        var again = await Assert.ThrowsAsync<RpcException>(() => host.Payments.ClearChequeAsync(
            new ClearChequeRequest { RequestId = Id(), PaymentId = pending.PaymentId }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "PAYMENT_NOT_PENDING_CHEQUE"), (again.StatusCode, Reason(again)));
        Assert.Single(await host.OutboxAsync("PaymentReceived", pending.PaymentId));
        var audited = await host.Payment.QueryAsync<PaymentDb, List<string>>(db => db.Set<AuditEntry>()
            .Where(a => a.Subject == "payments/" + pending.PaymentId).OrderBy(a => a.Id).Select(a => a.Action + " by " + a.Actor).ToListAsync());
        Assert.Equal(["payment.recorded by test-user", "payment.cheque_cleared by test-user"], audited);
    }

    [Fact]
    public async Task Bounced_cheque_raises_PaymentBounced_opens_a_work_item_and_is_never_announced_as_received()
    {
        var customer = Id();
        var pending = await host.RecordAsync(Cheque(customer, 500m, "778899"));

        var bounced = await host.Payments.BounceChequeAsync(
            new BounceChequeRequest { RequestId = Id(), PaymentId = pending.PaymentId, Reason = "insufficient funds" }, Tokens.As(Roles.FinanceClerk));

        Assert.Equal((PaymentState.Bounced, "insufficient funds"), (bounced.State, bounced.FailureReason));
        var evt = Assert.Single(await host.OutboxAsync("PaymentBounced", pending.PaymentId));
        Assert.Equal((customer, "insufficient funds", 500m), (evt.GetProperty("customerId").GetString(), evt.GetProperty("reason").GetString(), evt.GetProperty("amount").GetDecimal()));
        Assert.Empty(await host.OutboxAsync("PaymentReceived", pending.PaymentId));
        var item = Assert.Single(await host.WorkItemsOfAsync(pending.PaymentId));
        Assert.Equal((WorkItemKind.BouncedPayment, Guid.Parse(customer), true), (item.Kind, item.CustomerId, item.IsOpen));

        var clear = await Assert.ThrowsAsync<RpcException>(() => host.Payments.ClearChequeAsync(
            new ClearChequeRequest { RequestId = Id(), PaymentId = pending.PaymentId }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, clear.StatusCode);
        Assert.Empty(await host.OutboxAsync("PaymentReceived", pending.PaymentId));
    }

    [Fact]
    public async Task Only_a_pending_cheque_can_bounce()
    {
        var cash = await host.RecordAsync(Cash(Id(), 10m));

        var e = await Assert.ThrowsAsync<RpcException>(() => host.Payments.BounceChequeAsync(
            new BounceChequeRequest { RequestId = Id(), PaymentId = cash.PaymentId, Reason = "stop" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);

        Assert.Equal((StatusCode.FailedPrecondition, "PAYMENT_NOT_PENDING_CHEQUE"), (e.StatusCode, Reason(e)));
        Assert.Empty(await host.OutboxAsync("PaymentBounced", cash.PaymentId));
    }

    [Fact]
    public async Task Failed_card_attempt_is_recorded_failed_with_a_work_item_and_no_event()
    {
        var failed = await host.RecordAsync(new RecordPaymentRequest
        {
            RequestId = Id(), CustomerId = Id(), Method = PaymentMethod.Card, Amount = Cny(99m),
            Card = new CardDetails { Last4 = "0005" }, FailureReason = "issuer declined: do not honour",
        });

        Assert.Equal((PaymentState.Failed, "issuer declined: do not honour"), (failed.State, failed.FailureReason));
        Assert.Empty(await host.OutboxAsync("PaymentReceived", failed.PaymentId));
        Assert.Equal(WorkItemKind.FailedPayment, Assert.Single(await host.WorkItemsOfAsync(failed.PaymentId)).Kind);
    }

    [Fact]
    public async Task Sales_rep_may_read_payments_but_not_record_them()
    {
        var before = await host.CountsAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => host.RecordAsync(Cash(Id(), 10m), Roles.SalesRep));

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal(before, await host.CountsAsync());
        var recorded = await host.RecordAsync(Cash(Id(), 10m));
        var read = await host.Payments.GetPaymentAsync(new GetPaymentRequest { PaymentId = recorded.PaymentId }, Tokens.As(Roles.SalesRep));
        Assert.Equal(recorded.PaymentId, read.PaymentId);
        var clear = await Assert.ThrowsAsync<RpcException>(() => host.Payments.ClearChequeAsync(
            new ClearChequeRequest { RequestId = Id(), PaymentId = recorded.PaymentId }, Tokens.As(Roles.SupportAgent)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, clear.StatusCode);
    }

    [Fact]
    public async Task Payments_are_listed_newest_first_by_customer_state_and_method_in_pages()
    {
        var customer = Id();
        var cash1 = await host.RecordAsync(Cash(customer, 1m));
        var cheque = await host.RecordAsync(Cheque(customer, 2m));
        var cash2 = await host.RecordAsync(Cash(customer, 3m));
        await host.RecordAsync(Cash(Id(), 4m));

        var first = await host.Payments.ListPaymentsAsync(new ListPaymentsRequest { CustomerId = customer, PageSize = 2 }, Tokens.As(Roles.SalesManager));
        var second = await host.Payments.ListPaymentsAsync(
            new ListPaymentsRequest { CustomerId = customer, PageSize = 2, PageToken = first.NextPageToken }, Tokens.As(Roles.SalesManager));
        var cashOnly = await host.Payments.ListPaymentsAsync(new ListPaymentsRequest { CustomerId = customer, Method = PaymentMethod.Cash }, Tokens.As(Roles.SalesManager));
        var pending = await host.Payments.ListPaymentsAsync(new ListPaymentsRequest { CustomerId = customer, State = PaymentState.Pending }, Tokens.As(Roles.SalesManager));

        Assert.Equal([cash2.PaymentId, cheque.PaymentId], first.Payments.Select(p => p.PaymentId));
        Assert.Equal([cash1.PaymentId], second.Payments.Select(p => p.PaymentId));
        Assert.Equal("", second.NextPageToken);
        Assert.Equal([cash2.PaymentId, cash1.PaymentId], cashOnly.Payments.Select(p => p.PaymentId));
        Assert.Equal([cheque.PaymentId], pending.Payments.Select(p => p.PaymentId));
    }
}
