using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Privacy;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

/// <summary>
/// Makes an import idempotent per request_id. The content (header, then every row in order) is hashed as it arrives;
/// each written batch is recorded with the hash so far and its results (<see cref="ImportBatch"/>). The same import sent
/// again is matched batch by batch against those records and answered with the stored results, nothing written; an
/// import that was cut off (the caller cancelled, the connection dropped) is answered up to where it got and then
/// goes on writing the rest; different content under the same request_id is refused naming <c>header.request_id</c>.
/// </summary>
public sealed class ImportReplay : IDisposable
{
    private readonly Queue<ImportBatch> earlier;
    private readonly IncrementalHash hash;
    private readonly string requestId;

    private ImportReplay(string requestId, IEnumerable<ImportBatch> earlier, byte[] key, string columns)
    {
        this.requestId = requestId;
        this.earlier = new Queue<ImportBatch>(earlier);
        NextBatch = this.earlier.Count == 0 ? 0 : this.earlier.Max(b => b.Number) + 1;
        hash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Append(columns);
    }

    /// <summary>The number the next written batch gets.</summary>
    public int NextBatch { get; private set; }

    /// <summary>Rows are still being matched against the earlier import: they are not written.</summary>
    public bool Replaying => earlier.Count > 0;

    /// <summary>The batches an earlier import with this request_id wrote, with one query.</summary>
    public static async Task<ImportReplay> StartAsync(CustomerDb db, PiiProtector pii, string requestId, string columns, CancellationToken ct) =>
        new(requestId, await db.Set<ImportBatch>().AsNoTracking().Where(b => b.RequestId == requestId).OrderBy(b => b.Number).ToListAsync(ct),
            pii.FingerprintKey, columns);

    /// <summary>
    /// Takes in data row <paramref name="row"/> (<paramref name="line"/> null when the message was not a data line). While
    /// replaying, answers the stored results of the earlier batch this row closes (empty when it closes none).
    /// </summary>
    public IReadOnlyList<ImportResult> Row(int row, string? line)
    {
        Append(line is null ? "\u0000" : "\u0001" + line);
        if (!earlier.TryPeek(out var batch))
        {
            return [];
        }

        if (batch.Done && row > batch.RowsThrough)
        {
            throw Differs($"the first import with this request_id ended after {batch.RowsThrough} rows");
        }

        if (batch.Done || row < batch.RowsThrough)
        {
            return [];
        }

        return Answer(earlier.Dequeue());
    }

    /// <summary>
    /// The stream ended after <paramref name="rows"/> rows: the stored results of the earlier import's last batch when
    /// it was complete (null when nothing is left to replay and the import is written on).
    /// </summary>
    public IReadOnlyList<ImportResult>? End(int rows)
    {
        if (!earlier.TryDequeue(out var batch))
        {
            return null;
        }

        if (!batch.Done || rows != batch.RowsThrough)
        {
            throw Differs($"the first import with this request_id had {(batch.Done ? "" : "at least ")}{batch.RowsThrough} rows, this one {rows}");
        }

        return Answer(batch);
    }

    /// <summary>The record of a batch about to be written, covering the rows taken in so far.</summary>
    public ImportBatch Record(int rowsThrough, IReadOnlyList<ImportResult> results, bool done, DateTimeOffset now) => new()
    {
        RequestId = requestId,
        Number = NextBatch++,
        RowsThrough = rowsThrough,
        Fingerprint = Current(),
        Results = ImportResultCodec.Encode(results),
        Done = done,
        CreatedAt = now,
    };

    public void Dispose() => hash.Dispose();

    private IReadOnlyList<ImportResult> Answer(ImportBatch batch) =>
        batch.Fingerprint == Current() ? ImportResultCodec.Decode(batch.Results) : throw Differs($"rows 1-{batch.RowsThrough} differ from the first import's");

    /// <summary>Length-prefixed, so that no two different sequences of lines hash alike.</summary>
    private void Append(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    private string Current() => Convert.ToHexStringLower(hash.GetCurrentHash())[..32];

    private static ValidationException Differs(string what) =>
        ValidationException.For("header.request_id",
            $"differs from the first import with this request_id ({what}); use a new request_id for a different import", "IDEMPOTENCY_KEY_REUSED");
}
