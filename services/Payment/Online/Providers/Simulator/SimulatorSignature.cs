using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Payment.Online.Providers.Simulator;

public enum SignatureCheck
{
    Valid,
    Missing,
    Stale,
    Mismatch,
}

/// <summary>
/// The simulator's notification signature: hex HMAC-SHA256 over "{unix seconds}.{body}" with the shared secret.
/// The timestamp is inside the signed text, so a captured notification cannot be replayed later with a new timestamp.
/// </summary>
public static class SimulatorSignature
{
    public const string TimestampHeader = "X-Simulator-Timestamp";
    public const string SignatureHeader = "X-Simulator-Signature";

    public static string Sign(string secret, long timestamp, byte[] body) => Convert.ToHexStringLower(Mac(secret, timestamp, body));

    public static SignatureCheck Verify(string secret, string? timestamp, string? signature, byte[] body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SignatureCheck.Missing;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return SignatureCheck.Mismatch;
        }

        // Compare before looking at the clock, so the answer's timing says nothing about the secret either way.
        var valid = CryptographicOperations.FixedTimeEquals(given, Mac(secret, seconds, body));
        if (!valid)
        {
            return SignatureCheck.Mismatch;
        }

        return Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds ? SignatureCheck.Stale : SignatureCheck.Valid;
    }

    private static byte[] Mac(string secret, long timestamp, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }
}
