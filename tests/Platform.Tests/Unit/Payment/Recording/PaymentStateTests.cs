using Platform.Payment.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit.Payment.Recording;

public sealed class PaymentStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static Platform.Payment.Domain.Payment Of(PaymentMethod method, PaymentState state) => new()
    {
        Id = Guid.NewGuid(), CustomerId = Guid.NewGuid(), Method = method, State = state, Amount = 10m, Currency = "CNY",
    };

    [Fact]
    public void Pending_cheque_bounces_with_its_reason()
    {
        var cheque = Of(PaymentMethod.Cheque, PaymentState.Pending);

        var wasReceived = cheque.Bounce("account closed", Now);

        Assert.Equal((PaymentState.Bounced, "account closed", Now, false), (cheque.State, cheque.FailureReason, cheque.UpdatedAt, wasReceived));
    }

    [Fact]
    public void Cleared_cheque_can_still_bounce_and_says_it_had_been_received()
    {
        var cheque = Of(PaymentMethod.Cheque, PaymentState.Received);

        Assert.True(cheque.Bounce("returned by the drawer's bank", Now));
        Assert.Equal(PaymentState.Bounced, cheque.State);
        Assert.Throws<PreconditionFailedException>(cheque.EnsureClearable);
    }

    [Fact]
    public void A_received_payment_back_in_suspense_has_no_payer_and_names_nothing()
    {
        var payment = Of(PaymentMethod.BankTransfer, PaymentState.Received);
        var payer = payment.CustomerId;
        payment.ContractId = Guid.NewGuid();
        payment.InvoiceIds = [Guid.NewGuid()];

        Assert.Equal(payer, payment.ReturnToSuspense(Now));
        Assert.Equal((PaymentState.Unidentified, (Guid?)null, (Guid?)null, 0), (payment.State, payment.CustomerId, payment.ContractId, payment.InvoiceIds.Count));
        Assert.Throws<InvalidOperationException>(() => payment.ReturnToSuspense(Now));
    }

    [Theory]
    [InlineData(PaymentMethod.Cheque, PaymentState.Bounced)]
    [InlineData(PaymentMethod.Cheque, PaymentState.Unidentified)]
    [InlineData(PaymentMethod.Cash, PaymentState.Received)]
    [InlineData(PaymentMethod.BankTransfer, PaymentState.Pending)]
    public void Only_a_pending_cheque_can_clear_and_only_a_pending_or_cleared_one_bounce(PaymentMethod method, PaymentState state)
    {
        var payment = Of(method, state);

        Assert.Equal("PAYMENT_NOT_PENDING_CHEQUE", Assert.Throws<PreconditionFailedException>(() => payment.Bounce("x", Now)).Reason);
        Assert.Throws<PreconditionFailedException>(payment.EnsureClearable);
        Assert.Equal(state, payment.State);
    }

    [Fact]
    public void Only_card_and_wallet_attempts_can_fail() =>
        Assert.Equal([PaymentMethod.Card, PaymentMethod.Alipay, PaymentMethod.WechatPay], Enum.GetValues<PaymentMethod>().Where(m => m.CanFail()));
}
