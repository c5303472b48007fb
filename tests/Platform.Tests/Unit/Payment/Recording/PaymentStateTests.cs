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

        cheque.Bounce("account closed", Now);

        Assert.Equal((PaymentState.Bounced, "account closed", Now), (cheque.State, cheque.FailureReason, cheque.UpdatedAt));
    }

    [Theory]
    [InlineData(PaymentMethod.Cheque, PaymentState.Received)]
    [InlineData(PaymentMethod.Cheque, PaymentState.Bounced)]
    [InlineData(PaymentMethod.Cash, PaymentState.Received)]
    [InlineData(PaymentMethod.BankTransfer, PaymentState.Pending)]
    public void Only_a_pending_cheque_can_clear_or_bounce(PaymentMethod method, PaymentState state)
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
