using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Platform.BuildingBlocks.Privacy;

/// <summary>
/// Section "Pii": AES-256 keys by id (base64), the id new values are written with, and the key of the blind index.
/// Rotating: add a key, make it active, run the re-encryption job; old ids keep decrypting until it is done.
/// </summary>
public sealed class PiiOptions
{
    public const string Section = "Pii";

    public Dictionary<string, string> Keys { get; set; } = [];

    public string ActiveKeyId { get; set; } = "";

    public string IndexKey { get; set; } = "";
}

/// <summary>Encrypts PII at rest (AES-GCM, "keyId:base64(nonce|tag|cipher)") and computes blind-index hashes for lookups.</summary>
public sealed class PiiProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Dictionary<string, byte[]> keys;
    private readonly ConcurrentDictionary<string, ConcurrentBag<AesGcm>> ciphers = new(StringComparer.Ordinal);
    private readonly string activeKeyId;
    private readonly byte[] indexKey;

    public PiiProtector(IOptions<PiiOptions> options)
    {
        var o = options.Value;
        keys = o.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value));
        if (!keys.TryGetValue(o.ActiveKeyId, out var active) || active.Length != 32)
        {
            throw new InvalidOperationException("Pii:ActiveKeyId must name a 32-byte key in Pii:Keys");
        }

        activeKeyId = o.ActiveKeyId;
        indexKey = Convert.FromBase64String(o.IndexKey);
        if (indexKey.Length < 32)
        {
            throw new InvalidOperationException("Pii:IndexKey must be at least 32 bytes");
        }
    }

    public string ActiveKeyId => activeKeyId;

    /// <summary>Key for fingerprints of requests that may carry PII (the blind-index key).</summary>
    public byte[] FingerprintKey => indexKey;

    public string Protect(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var buffer = new byte[NonceSize + TagSize + plain.Length];
        var nonce = buffer.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var aes = Rent(activeKeyId);
        aes.Encrypt(nonce, plain, buffer.AsSpan(NonceSize + TagSize), buffer.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(activeKeyId));
        Return(activeKeyId, aes);
        return activeKeyId + ":" + Convert.ToBase64String(buffer);
    }

    public string Unprotect(string protectedValue)
    {
        var colon = protectedValue.IndexOf(':', StringComparison.Ordinal);
        var keyId = protectedValue[..colon];
        var buffer = Convert.FromBase64String(protectedValue[(colon + 1)..]);
        var plain = new byte[buffer.Length - NonceSize - TagSize];
        var aes = Rent(keyId);
        aes.Decrypt(buffer.AsSpan(0, NonceSize), buffer.AsSpan(NonceSize + TagSize), buffer.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(keyId));
        Return(keyId, aes);
        return Encoding.UTF8.GetString(plain);
    }

    // An AesGcm holds a prepared key schedule and is not thread-safe: each call rents one per key and gives it back
    // (one that failed to decrypt is simply not returned), instead of preparing the key on every call.
    private AesGcm Rent(string keyId) =>
        ciphers.GetOrAdd(keyId, _ => new ConcurrentBag<AesGcm>()).TryTake(out var aes) ? aes : new AesGcm(keys[keyId], TagSize);

    private void Return(string keyId, AesGcm aes) => ciphers[keyId].Add(aes);

    /// <summary>The key id a protected value was written with (for re-encryption after rotation).</summary>
    public static string KeyIdOf(string protectedValue) => protectedValue[..protectedValue.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>Keyed hash of a normalized value: equal inputs give equal hashes, and the hash reveals nothing without the key.</summary>
    public string BlindIndex(string normalized) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(indexKey, Encoding.UTF8.GetBytes(normalized)));

    /// <summary>Keys for local development only, derived from a fixed seed; every other environment must configure its own.</summary>
    public static PiiOptions DevelopmentKeys()
    {
        var key = Convert.ToBase64String(SHA256.HashData("platform-local-pii-key"u8));
        var index = Convert.ToBase64String(SHA256.HashData("platform-local-pii-index"u8));
        return new PiiOptions { Keys = { ["dev1"] = key }, ActiveKeyId = "dev1", IndexKey = index };
    }
}
