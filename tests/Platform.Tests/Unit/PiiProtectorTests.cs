using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Privacy;

namespace Platform.Tests.Unit;

public sealed class PiiProtectorTests
{
    private static PiiOptions Keys(string active, params string[] ids) => new()
    {
        Keys = ids.ToDictionary(id => id, _ => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))),
        ActiveKeyId = active,
        IndexKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    };

    [Fact]
    public void Protected_value_round_trips_and_hides_the_plaintext()
    {
        var pii = new PiiProtector(Options.Create(Keys("k1", "k1")));

        var cipher = pii.Protect("li.lei@example.com");

        Assert.StartsWith("k1:", cipher, StringComparison.Ordinal);
        Assert.DoesNotContain("li.lei", cipher, StringComparison.Ordinal);
        Assert.Equal("li.lei@example.com", pii.Unprotect(cipher));
        Assert.NotEqual(cipher, pii.Protect("li.lei@example.com")); // a fresh nonce each time
    }

    [Fact]
    public void Values_written_with_an_old_key_still_decrypt_after_rotation()
    {
        var before = Keys("k1", "k1", "k2");
        var old = new PiiProtector(Options.Create(before)).Protect("+8613800138000");
        before.ActiveKeyId = "k2";
        var rotated = new PiiProtector(Options.Create(before));

        Assert.Equal("+8613800138000", rotated.Unprotect(old));
        Assert.Equal("k2", PiiProtector.KeyIdOf(rotated.Protect("x")));
    }

    [Fact]
    public void Blind_index_is_stable_per_key_and_differs_between_keys()
    {
        var a = new PiiProtector(Options.Create(Keys("k1", "k1")));
        var b = new PiiProtector(Options.Create(Keys("k1", "k1")));

        Assert.Equal(a.BlindIndex("a@example.com"), a.BlindIndex("a@example.com"));
        Assert.NotEqual(a.BlindIndex("a@example.com"), a.BlindIndex("b@example.com"));
        Assert.NotEqual(a.BlindIndex("a@example.com"), b.BlindIndex("a@example.com"));
    }

    [Fact]
    public void Tampered_ciphertext_is_rejected()
    {
        var pii = new PiiProtector(Options.Create(Keys("k1", "k1")));
        var cipher = pii.Protect("secret");
        var bytes = Convert.FromBase64String(cipher[3..]);
        bytes[^1] ^= 1;

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => pii.Unprotect("k1:" + Convert.ToBase64String(bytes)));
    }

    [Theory]
    [InlineData("li.lei@example.com", "l***@example.com")]
    [InlineData("x@y.cn", "x***@y.cn")]
    public void Email_is_masked_but_for_its_first_letter_and_domain(string email, string masked) =>
        Assert.Equal(masked, PiiMask.Email(email));

    [Fact]
    public void Phone_is_masked_but_for_its_prefix_and_last_four_digits() =>
        Assert.Equal("+86*******8000", PiiMask.Phone("+8613800138000"));
}
