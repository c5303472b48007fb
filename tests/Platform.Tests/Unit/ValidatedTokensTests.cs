using System.Security.Claims;
using Microsoft.Extensions.Time.Testing;
using Platform.ServiceDefaults.Auth;

namespace Platform.Tests.Unit;

public sealed class ValidatedTokensTests
{
    private static readonly ClaimsPrincipal Rep = new(new ClaimsIdentity([new Claim("sub", "rep-1")], "Bearer"));

    [Fact]
    public void A_validated_token_is_answered_until_it_expires_and_no_other_token_is()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        var tokens = new ValidatedTokens(clock);
        tokens.Remember("a.b.c", Rep, clock.GetUtcNow().AddMinutes(2).UtcDateTime);

        Assert.Same(Rep, tokens.Find("a.b.c"));
        Assert.Null(tokens.Find("a.b.d"));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(tokens.Find("a.b.c"));
    }

    [Fact]
    public void A_long_lived_token_is_validated_again_after_the_longest_time_it_is_remembered()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        var tokens = new ValidatedTokens(clock);
        tokens.Remember("a.b.c", Rep, clock.GetUtcNow().AddHours(1).UtcDateTime);
        tokens.Remember("expired", Rep, clock.GetUtcNow().AddSeconds(-1).UtcDateTime);

        clock.Advance(ValidatedTokens.MaxAge - TimeSpan.FromSeconds(1));
        Assert.Same(Rep, tokens.Find("a.b.c"));
        Assert.Null(tokens.Find("expired"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(tokens.Find("a.b.c"));
    }
}
