using Platform.Payment.VirtualAccounts.Domain;

namespace Platform.Tests.Unit.Payment.VirtualAccounts;

public sealed class VirtualAccountNumberTests
{
    [Fact]
    public void Check_digit_is_the_luhn_digit() => Assert.Equal(3, VirtualAccountNumber.CheckDigit("7992739871"));

    [Fact]
    public void Number_is_prefix_serial_and_check_digit()
    {
        var number = VirtualAccountNumber.Compose("8801", 42);

        Assert.Equal("8801" + "0000000042", number[..^1]);
        Assert.True(VirtualAccountNumber.IsWellFormed(number));
    }

    [Fact]
    public void Mistyped_or_transposed_digit_is_recognised()
    {
        var number = VirtualAccountNumber.Compose("8801", 1234567);
        var mistyped = number[..5] + (char)('0' + ((number[5] - '0' + 1) % 10)) + number[6..];
        var transposed = number[..^3] + number[^2] + number[^3] + number[^1];

        Assert.False(VirtualAccountNumber.IsWellFormed(mistyped));
        Assert.True(transposed == number || !VirtualAccountNumber.IsWellFormed(transposed));
        Assert.False(VirtualAccountNumber.IsWellFormed("8801-0000001"));
        Assert.False(VirtualAccountNumber.IsWellFormed(""));
    }

    [Fact]
    public void Serial_beyond_ten_digits_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => VirtualAccountNumber.Compose("8801", 10_000_000_000));
}
