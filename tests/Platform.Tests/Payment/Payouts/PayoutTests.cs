using System.Net;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Events;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.Payment.Payouts.Domain;
using Platform.Payment.Payouts.Jobs;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Payment.Online;
using static Platform.Tests.Payment.Online.OnlineHost;

namespace Platform.Tests.Payment.Payouts;

/// <summary>The payment service with a bank that refuses transfers above 10,000 and settles the others after an hour.</summary>
public sealed class PayoutHost : OnlineHost
{
    protected override IDictionary<string, string?> Extra => new Dictionary<string, string?>
    {
        ["Payment:Payouts:Simulator:SingleTransferLimit"] = "10000",
        ["Payment:Payouts:Simulator:SettleAfter"] = "01:00:00",
    };
}

/// <summary>Approved refunds paid out once per refund id, through the wallet or by transfer; a refused payout answered with RefundFailed.</summary>
public sealed class PayoutTests(PayoutHost host) : IClassFixture<PayoutHost>
{
    private Task<RefundPayout?> PayoutAsync(Guid refundId) =>
        host.Payment.QueryAsync<PaymentDb, RefundPayout?>(db => db.Set<RefundPayout>().AsNoTracking().SingleOrDefaultAsync(p => p.RefundId == refundId));

    private async Task<List<System.Text.Json.JsonElement>> AnswersAsync<T>(Guid refundId) where T : IIntegrationEvent =>
        (await host.OutboxAsync<T>()).Where(e => e.GetProperty("refundId").GetGuid() == refundId).ToList();

    private Task<int> ConsumedAsync(params Guid[] messageIds) =>
        host.Payment.QueryAsync<PaymentDb, int>(db => db.Database.SqlQuery<int>(
            $"SELECT count(*)::int AS \"Value\" FROM inbox_messages WHERE message_id = ANY({messageIds})").SingleAsync());

    [Fact]
    public async Task Approved_refund_is_paid_by_transfer_once_even_when_redelivered_or_republished()
    {
        var approved = new RefundApproved(Guid.NewGuid(), host.Clock.GetUtcNow(), Guid.NewGuid(), Guid.NewGuid(), 1200m, "CNY");
        var republished = approved with { EventId = Guid.NewGuid() };

        await host.PublishAsync(approved);
        await host.PublishAsync(approved);
        await host.PublishAsync(republished);
        await Eventually.Until(() => ConsumedAsync(approved.EventId, republished.EventId), n => n == 2, what: "both message ids consumed");
        await host.RunAsync<PayoutJob>();
        Assert.Equal(PayoutState.Submitted, (await PayoutAsync(approved.RefundId))!.State); // the bank settles in an hour

        host.Clock.Advance(TimeSpan.FromHours(2));
        await host.RunAsync<PayoutJob>();
        await host.RunAsync<PayoutJob>();

        var payout = await PayoutAsync(approved.RefundId);
        Assert.Equal(PayoutState.Paid, payout!.State);
        Assert.Equal(PayoutChannel.BankTransfer, payout.Channel);
        var paid = Assert.Single(await AnswersAsync<RefundPaid>(approved.RefundId));
        Assert.Equal(1200m, paid.GetProperty("amount").GetDecimal());
        Assert.Empty(await AnswersAsync<RefundFailed>(approved.RefundId));
    }

    [Fact]
    public async Task Refund_of_a_wallet_payment_goes_back_through_the_wallet()
    {
        var customer = Id();
        var intent = await host.Intents.CreatePaymentIntentAsync(new CreatePaymentIntentRequest
        {
            RequestId = Id(), CustomerId = customer, Amount = 500m.ToMoney("CNY"), Method = WalletMethod.WechatPay,
        }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal(HttpStatusCode.OK, (await host.Payment.CreateClient().PostAsync(
            new Uri($"/providers/simulator/orders/{intent.ProviderReference}/pay", UriKind.Relative), null)).StatusCode);
        var paidIntent = await Eventually.Until(() => host.Intents.GetPaymentIntentAsync(new GetPaymentIntentRequest { PaymentIntentId = intent.PaymentIntentId },
            Tokens.As(Roles.FinanceClerk)).ResponseAsync, i => i.State == PaymentIntentState.Succeeded, what: "the notification");

        var approved = new RefundApproved(Guid.NewGuid(), host.Clock.GetUtcNow(), Guid.NewGuid(), Guid.Parse(customer), 200m, "CNY", Guid.Parse(paidIntent.PaymentId));
        await host.PublishAsync(approved);
        await Eventually.Until(() => PayoutAsync(approved.RefundId), p => p is not null, what: "the payout stored");
        await host.RunAsync<PayoutJob>();

        var payout = await PayoutAsync(approved.RefundId);
        Assert.Equal(PayoutChannel.WalletRefund, payout!.Channel);
        Assert.Equal(PayoutState.Paid, payout.State);
        Assert.Equal(intent.ProviderReference, payout.PaymentReference);
        Assert.Equal(paidIntent.PaymentId, Assert.Single(await AnswersAsync<RefundPaid>(approved.RefundId)).GetProperty("paymentId").GetString());
    }

    [Fact]
    public async Task Payout_the_bank_refuses_is_answered_with_RefundFailed_and_the_reason()
    {
        var approved = new RefundApproved(Guid.NewGuid(), host.Clock.GetUtcNow(), Guid.NewGuid(), Guid.NewGuid(), 25_000m, "CNY");

        await host.PublishAsync(approved);
        await Eventually.Until(() => PayoutAsync(approved.RefundId), p => p is not null, what: "the payout stored");
        await host.RunAsync<PayoutJob>();
        await host.RunAsync<PayoutJob>();

        Assert.Equal(PayoutState.Failed, (await PayoutAsync(approved.RefundId))!.State);
        var failed = Assert.Single(await AnswersAsync<RefundFailed>(approved.RefundId));
        Assert.Contains("single transfer limit", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(await AnswersAsync<RefundPaid>(approved.RefundId));
    }
}
