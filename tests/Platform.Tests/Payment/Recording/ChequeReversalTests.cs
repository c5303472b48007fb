using Grpc.Core;
using Platform.Contracts.Payment.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Payment.Recording.RecordingHost;
using WorkItemKind = Platform.Payment.Exceptions.Domain.WorkItemKind;

namespace Platform.Tests.Payment.Recording;

/// <summary>A cheque that bounces after clearing: its announcement is taken back, a work item opens, credit counts it.</summary>
public sealed class ChequeReversalTests(RecordingHost host) : IClassFixture<RecordingHost>
{
    private async Task<Contracts.Payment.V1.Payment> ClearedChequeAsync(string customer, decimal amount)
    {
        var pending = await host.RecordAsync(Cheque(customer, amount, "445566"));
        return await host.Payments.ClearChequeAsync(new ClearChequeRequest { RequestId = Id(), PaymentId = pending.PaymentId }, Tokens.As(Roles.FinanceClerk));
    }

    [Fact]
    public async Task A_cleared_cheque_that_bounces_is_reversed_once_gets_a_work_item_and_counts_as_bounced_in_credit()
    {
        var customer = Id();
        var cleared = await ClearedChequeAsync(customer, 800m);
        Assert.Equal(PaymentState.Received, cleared.State);
        var request = new BounceChequeRequest { RequestId = Id(), PaymentId = cleared.PaymentId, Reason = "returned: account closed" };

        var bounced = await host.Payments.BounceChequeAsync(request, Tokens.As(Roles.FinanceClerk));
        var replayed = await host.Payments.BounceChequeAsync(request, Tokens.As(Roles.FinanceClerk)); // same request id: the first answer

        Assert.Equal((PaymentState.Bounced, "returned: account closed"), (bounced.State, bounced.FailureReason));
        Assert.Equal(bounced, replayed);
        Assert.Single(await host.OutboxAsync("PaymentBounced", cleared.PaymentId));
        var reversed = Assert.Single(await host.OutboxAsync("PaymentReversed", cleared.PaymentId));
        Assert.Equal((customer, 800m, 0, "bounced", "returned: account closed", "cheque"),
            (reversed.GetProperty("customerId").GetString(), reversed.GetProperty("amount").GetDecimal(), reversed.GetProperty("generation").GetInt32(),
                reversed.GetProperty("reason").GetString(), reversed.GetProperty("detail").GetString(), reversed.GetProperty("method").GetString()));
        var item = Assert.Single(await host.WorkItemsOfAsync(cleared.PaymentId));
        Assert.Equal((WorkItemKind.BouncedPayment, Guid.Parse(customer), true), (item.Kind, item.CustomerId, item.IsOpen));
        Assert.Contains("after clearing", item.Summary, StringComparison.Ordinal);

        var credit = await new Credit.CreditClient(host.Payment.Channel).GetCreditAssessmentAsync(
            new GetCreditAssessmentRequest { CustomerId = customer }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal(1, credit.Factors.BouncedPayments);

        // A bounced cheque cannot bounce (or clear) again: nothing more is taken back.
        var again = await Assert.ThrowsAsync<RpcException>(() => host.Payments.BounceChequeAsync(
            new BounceChequeRequest { RequestId = Id(), PaymentId = cleared.PaymentId, Reason = "again" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "PAYMENT_NOT_PENDING_CHEQUE"), (again.StatusCode, Reason(again)));
        Assert.Single(await host.OutboxAsync("PaymentReversed", cleared.PaymentId));
    }

    [Fact]
    public async Task A_pending_cheque_that_bounces_takes_nothing_back()
    {
        var pending = await host.RecordAsync(Cheque(Id(), 90m, "445577"));

        await host.Payments.BounceChequeAsync(new BounceChequeRequest { RequestId = Id(), PaymentId = pending.PaymentId, Reason = "stopped" },
            Tokens.As(Roles.FinanceClerk));

        Assert.Single(await host.OutboxAsync("PaymentBounced", pending.PaymentId));
        Assert.Empty(await host.OutboxAsync("PaymentReversed", pending.PaymentId));
    }

    [Theory]
    [InlineData("not-a-uuid", "a reason", "payment_id")]
    [InlineData(null, "", "reason")]
    [InlineData(null, null, "reason")]
    public async Task Bounce_with_invalid_input_is_refused_naming_the_field_and_writes_nothing(string? paymentId, string? reason, string field)
    {
        var cleared = await ClearedChequeAsync(Id(), 40m);
        var before = await host.CountsAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => host.Payments.BounceChequeAsync(new BounceChequeRequest
        {
            RequestId = Id(), PaymentId = paymentId ?? cleared.PaymentId, Reason = reason ?? new string('x', 501),
        }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal([field], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
        Assert.Empty(await host.OutboxAsync("PaymentReversed", cleared.PaymentId));
        Assert.Equal(PaymentState.Received, (await host.Payments.GetPaymentAsync(new GetPaymentRequest { PaymentId = cleared.PaymentId },
            Tokens.As(Roles.FinanceClerk))).State);
    }

    [Fact]
    public async Task Bounce_without_a_request_id_is_refused_naming_it()
    {
        var cleared = await ClearedChequeAsync(Id(), 30m);
        var before = await host.CountsAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => host.Payments.BounceChequeAsync(
            new BounceChequeRequest { PaymentId = cleared.PaymentId, Reason = "returned" }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "request_id"), (e.StatusCode, Assert.Single(Fields(e))));
        Assert.Equal(before, await host.CountsAsync());
    }
}
