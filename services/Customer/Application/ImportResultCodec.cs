using System.IO.Compression;

namespace Platform.Customer.Application;

/// <summary>
/// The per-row results of an import batch as bytes to keep: a row number, an outcome and a flag byte, then only what the
/// row has (the 16-byte customer id, the field, the description), Brotli-compressed. A created row takes about 20 bytes
/// before compression, so the results of a 100,000-row import stay within a couple of megabytes.
/// </summary>
public static class ImportResultCodec
{
    private const byte HasId = 1, HasField = 2, HasDescription = 4;

    public static byte[] Encode(IReadOnlyList<ImportResult> results)
    {
        // Encoded whole, then compressed in one write: the compressor fed field by field emits far more.
        using var plain = new MemoryStream();
        using (var writer = new BinaryWriter(plain, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt(results.Count);
            foreach (var r in results)
            {
                writer.Write7BitEncodedInt(r.Row);
                writer.Write((byte)r.Outcome);
                writer.Write((byte)((r.CustomerId is null ? 0 : HasId) | (r.Field is null ? 0 : HasField) | (r.Description is null ? 0 : HasDescription)));
                if (r.CustomerId is { } id)
                {
                    writer.Write(id.ToByteArray());
                }

                if (r.Field is { } field)
                {
                    writer.Write(field);
                }

                if (r.Description is { } description)
                {
                    writer.Write(description);
                }
            }
        }

        using var compressed = new MemoryStream();
        using (var brotli = new BrotliStream(compressed, new BrotliCompressionOptions { Quality = 5 }, leaveOpen: true))
        {
            brotli.Write(plain.GetBuffer(), 0, (int)plain.Length);
        }

        return compressed.ToArray();
    }

    public static IReadOnlyList<ImportResult> Decode(byte[] stored)
    {
        using var reader = new BinaryReader(new BrotliStream(new MemoryStream(stored), CompressionMode.Decompress));
        var results = new ImportResult[reader.Read7BitEncodedInt()];
        for (var i = 0; i < results.Length; i++)
        {
            var row = reader.Read7BitEncodedInt();
            var outcome = (ImportOutcome)reader.ReadByte();
            var flags = reader.ReadByte();
            var id = (flags & HasId) != 0 ? new Guid(reader.ReadBytes(16)) : (Guid?)null;
            var field = (flags & HasField) != 0 ? reader.ReadString() : null;
            var description = (flags & HasDescription) != 0 ? reader.ReadString() : null;
            results[i] = new ImportResult(row, outcome, id, field, description);
        }

        return results;
    }
}
