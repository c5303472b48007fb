using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;

namespace Platform.BuildingBlocks.Idempotency;

/// <summary>
/// A request reduced to one keyed hash per field ("name=hash;…"): two fingerprints name the first field in which their
/// requests differ, while the stored form reveals none of the values (a request may carry PII).
/// </summary>
public static class RequestFingerprint
{
    public static string Of(IMessage request, byte[] key) => string.Join(';',
        request.Descriptor.Fields.InDeclarationOrder().Select(field =>
        {
            var text = field.Accessor.GetValue(request) switch
            {
                null => "",
                ByteString b => b.ToBase64(),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var v => v.ToString() ?? "", // strings; messages, repeated and map fields format as JSON
            };
            return field.Name + "=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)))[..32];
        }));

    /// <summary>The first field (in declaration order) whose hash differs, or null when the fingerprints are equal.</summary>
    public static string? FirstDifference(string first, string second)
    {
        var theirs = second.Split(';').ToHashSet();
        return first.Split(';').Where(part => !theirs.Contains(part)).Select(part => part[..part.IndexOf('=', StringComparison.Ordinal)]).FirstOrDefault();
    }
}
