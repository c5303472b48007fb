using System.Globalization;

namespace Platform.Payment.VirtualAccounts.Domain;

/// <summary>A customer's dedicated virtual account: transfers into its number are the customer's money.</summary>
public sealed class VirtualAccount
{
    public Guid CustomerId { get; init; }

    public required string Number { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Virtual account numbers: a fixed prefix (the bank's range for this company), a 10-digit serial and a Luhn check
/// digit, so a mistyped number in a transfer is recognised as nobody's rather than landing on another customer.
/// </summary>
public static class VirtualAccountNumber
{
    public const int SerialDigits = 10;

    public static string Compose(string prefix, long serial)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(serial);
        var body = prefix + serial.ToString(CultureInfo.InvariantCulture).PadLeft(SerialDigits, '0');
        if (body.Length != prefix.Length + SerialDigits)
        {
            throw new InvalidOperationException($"Virtual account serials are exhausted for prefix {prefix}.");
        }

        return body + CheckDigit(body);
    }

    /// <summary>Digits only and the last one is the Luhn check digit of the others.</summary>
    public static bool IsWellFormed(string number) =>
        number.Length >= 2 && number.All(char.IsAsciiDigit) && number[^1] - '0' == CheckDigit(number[..^1]);

    /// <summary>The Luhn (mod 10) check digit of <paramref name="digits"/>.</summary>
    public static int CheckDigit(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 0)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return (10 - sum % 10) % 10;
    }
}
