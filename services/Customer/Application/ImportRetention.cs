using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Messaging;
using Platform.Customer.Data;

namespace Platform.Customer.Application;

/// <summary>
/// Import batches (<see cref="Domain.ImportBatch"/>) answer an import sent again under its request_id, as the
/// idempotent-request store answers a repeated call, and are kept as long as that store keeps its answers
/// (<see cref="MessageRetentionOptions.IdempotentRequests"/>): an import is forgotten, all of its batches together,
/// once its last batch is older than that. Deleted by the service's message retention pass, found through the index on
/// the batches' time.
/// </summary>
public sealed class ImportRetention : IRetainedRecords<CustomerDb>
{
    public Task<int> PruneAsync(CustomerDb db, DateTimeOffset now, MessageRetentionOptions options, CancellationToken ct)
    {
        var before = now - options.IdempotentRequests;
        var size = options.BatchSize;
        return BatchedDelete.RunAsync(() => db.Database.ExecuteSqlAsync($"""
            DELETE FROM import_batches WHERE ctid = ANY(ARRAY(
                SELECT b.ctid FROM import_batches b
                WHERE b.created_at < {before}
                  AND NOT EXISTS (SELECT 1 FROM import_batches n WHERE n.request_id = b.request_id AND n.created_at >= {before})
                LIMIT {size}))
            """, ct), size);
    }
}
