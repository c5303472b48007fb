using System.Globalization;
using System.Text;
using Platform.Payment.Domain;
using Platform.Payment.Online.Domain;
using Platform.Payment.Online.Providers.Simulator;

namespace Platform.Tests.Unit.Payment.Online;

public sealed class PaymentIntentTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static PaymentIntent Issued()
    {
        var intent = new PaymentIntent
        {
            Id = Guid.NewGuid(), CustomerId = Guid.NewGuid(), Amount = 10m, Currency = "CNY", Method = PaymentMethod.Alipay,
            Provider = "simulator", CreatedAt = Now, ExpiresAt = Now.AddMinutes(30),
        };
        intent.Issue("SIM1", "qr", Now);
        return intent;
    }

    [Fact]
    public void Success_is_applied_once()
    {
        var intent = Issued();
        var first = Guid.NewGuid();

        Assert.True(intent.Succeed(first, Now));
        Assert.False(intent.Succeed(Guid.NewGuid(), Now));
        Assert.False(intent.Fail("late failure", Now));
        Assert.Equal(first, intent.PaymentId);
        Assert.Equal(IntentState.Succeeded, intent.State);
    }

    [Fact]
    public void Money_the_provider_took_after_expiry_is_still_recorded_but_a_failed_intent_stays_failed()
    {
        var expired = Issued();
        Assert.False(expired.Expire(Now.AddMinutes(29)));
        Assert.True(expired.Expire(Now.AddMinutes(30)));
        Assert.True(expired.Succeed(Guid.NewGuid(), Now.AddMinutes(31)));

        var failed = Issued();
        Assert.True(failed.Fail("declined", Now));
        Assert.False(failed.Succeed(Guid.NewGuid(), Now));
        Assert.False(failed.Cancel(Now));
        Assert.Equal("declined", failed.FailureReason);
    }

    [Fact]
    public void Signature_is_valid_only_for_the_same_secret_body_and_a_fresh_timestamp()
    {
        var body = Encoding.UTF8.GetBytes("{\"reference\":\"SIM1\"}");
        var at = Now.ToUnixTimeSeconds();
        var signature = SimulatorSignature.Sign("secret-0123456789", at, body);
        var tolerance = TimeSpan.FromMinutes(5);
        var ts = at.ToString(CultureInfo.InvariantCulture);

        Assert.Equal(SignatureCheck.Valid, SimulatorSignature.Verify("secret-0123456789", ts, signature, body, Now.AddMinutes(4), tolerance));
        Assert.Equal(SignatureCheck.Stale, SimulatorSignature.Verify("secret-0123456789", ts, signature, body, Now.AddMinutes(6), tolerance));
        Assert.Equal(SignatureCheck.Mismatch, SimulatorSignature.Verify("other-secret-0123", ts, signature, body, Now, tolerance));
        Assert.Equal(SignatureCheck.Mismatch, SimulatorSignature.Verify("secret-0123456789", (at + 1).ToString(CultureInfo.InvariantCulture), signature, body, Now, tolerance));
        Assert.Equal(SignatureCheck.Mismatch, SimulatorSignature.Verify("secret-0123456789", ts, signature, [.. body, (byte)' '], Now, tolerance));
        Assert.Equal(SignatureCheck.Mismatch, SimulatorSignature.Verify("secret-0123456789", ts, "zz", body, Now, tolerance));
        Assert.Equal(SignatureCheck.Missing, SimulatorSignature.Verify("secret-0123456789", null, signature, body, Now, tolerance));
    }
}
