namespace Platform.Customer.Domain;

/// <summary>
/// One written batch of an import, kept under the import's request_id so that the same import sent again is answered
/// from here instead of being applied again: the rows it covers, a keyed hash of the import's content up to its last
/// row (header included), and its per-row results, compact and compressed.
/// </summary>
public sealed class ImportBatch
{
    /// <summary>The header's request_id.</summary>
    public required string RequestId { get; init; }

    /// <summary>0, 1, … in the order the batches were written.</summary>
    public int Number { get; init; }

    /// <summary>The last data row the batch covers (the header is row 0).</summary>
    public int RowsThrough { get; init; }

    /// <summary>Keyed hash of the header and data rows 1 to <see cref="RowsThrough"/>: no content can be read back from it.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The batch's results (see ImportResultCodec).</summary>
    public required byte[] Results { get; init; }

    /// <summary>The import's stream ended with this batch (a batch without rows when the last one was full).</summary>
    public bool Done { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
