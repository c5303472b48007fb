using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Scheduling;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>
/// How long the outbox keeps the rows it has published, the inbox the messages it has applied, and the idempotent-request
/// store the first answers it gave.
/// </summary>
public sealed class MessageRetentionOptions
{
    public const string Section = "MessageRetention";

    /// <summary>A published outbox row is deleted this long after it was sent (pending rows are never deleted).</summary>
    public TimeSpan Outbox { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// An inbox row is deleted this long after its message was applied. It must outlast any redelivery of that message:
    /// the broker redelivers an unacknowledged message within seconds of the consumer's channel closing, the retries
    /// end within a minute, and a message in an error queue was never applied, so a week is far beyond any of them.
    /// </summary>
    public TimeSpan Inbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A mutating request's first answer is forgotten this long after it was given: a caller repeating a request_id
    /// within it gets the first answer; after it, the request is a new one. Callers retry within minutes or hours, and a
    /// system replaying a day's file after an outage within days; a week covers both.
    /// </summary>
    public TimeSpan IdempotentRequests { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often a replica prunes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rows deleted per statement (one short transaction each, so neither table is locked for long).</summary>
    public int BatchSize { get; set; } = 5_000;
}

/// <summary>
/// Records of a service's own that are kept as long as <see cref="MessageRetentionOptions"/> says and deleted by the same
/// pass: for example the customer service's import batches, which answer an import sent again under its request_id as
/// the idempotent-request store answers a repeated call. Registered in the service's container.
/// </summary>
public interface IRetainedRecords<in TDb> where TDb : DbContext
{
    /// <summary>Deletes what the options no longer keep, in short transactions; answers the rows deleted.</summary>
    Task<int> PruneAsync(TDb db, DateTimeOffset now, MessageRetentionOptions options, CancellationToken ct);
}

/// <summary>
/// Deletes published outbox rows, applied inbox rows and idempotent answers (and any <see cref="IRetainedRecords{TDb}"/>
/// the service registers) once they are older than
/// <see cref="MessageRetentionOptions"/> says, so none of these tables (nor their indexes) grows with every event the
/// service ever sent or applied and every request it ever answered. Each delete finds its rows through an index on
/// their time (<see cref="MessagingModel"/>), so a pass that finds nothing to delete reads a few index pages, not the
/// table. A <see cref="ScheduledJob{TDb}"/>: every <see cref="MessageRetentionOptions.Interval"/>, on one replica at a time.
/// </summary>
public sealed class MessageRetention<TDb>(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MessageRetentionOptions> options,
    ILogger<MessageRetention<TDb>> log) : ScheduledJob<TDb>(scopes, clock, log)
    where TDb : DbContext
{
    protected override string Name => "message-retention";

    protected override TimeSpan Interval => options.Value.Interval;

    /// <summary>One pass now. Answers the rows deleted from each table; none while another replica prunes.</summary>
    public async Task<PrunedRows> PruneAsync(CancellationToken ct)
    {
        var (ran, pruned) = await RunLockedAsync(PruneLockedAsync, ct);
        return ran ? pruned : new PrunedRows(0, 0, 0, 0);
    }

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct) =>
        (await PruneLockedAsync(services, now, ct)).Total;

    private async Task<PrunedRows> PruneLockedAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<TDb>();
        var outboxBefore = now - options.Value.Outbox;
        var inboxBefore = now - options.Value.Inbox;
        var requestsBefore = now - options.Value.IdempotentRequests;
        var size = options.Value.BatchSize;
        var outbox = await BatchedDelete.RunAsync(() => db.Database.ExecuteSqlAsync($"""
            DELETE FROM outbox_messages WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM outbox_messages WHERE sent_at IS NOT NULL AND sent_at < {outboxBefore} LIMIT {size}))
            """, ct), size);
        var inbox = await BatchedDelete.RunAsync(() => db.Database.ExecuteSqlAsync($"""
            DELETE FROM inbox_messages WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM inbox_messages WHERE processed_at < {inboxBefore} LIMIT {size}))
            """, ct), size);
        var requests = await BatchedDelete.RunAsync(() => db.Database.ExecuteSqlAsync($"""
            DELETE FROM idempotent_requests WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM idempotent_requests WHERE created_at < {requestsBefore} LIMIT {size}))
            """, ct), size);
        var own = 0;
        foreach (var records in services.GetServices<IRetainedRecords<TDb>>())
        {
            own += await records.PruneAsync(db, now, options.Value, ct);
        }

        return new PrunedRows(outbox, inbox, requests, own);
    }
}

/// <summary>Deletes in short transactions, one batch of rows per statement, so that no table is locked for long.</summary>
public static class BatchedDelete
{
    /// <summary>Runs the batch delete (each its own short transaction) until a batch finds fewer rows than it may take.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> deleteBatch, int size)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await deleteBatch();
            total += deleted;
        }
        while (deleted == size);
        return total;
    }
}

/// <summary>The rows one retention pass deleted, per table (<paramref name="Own"/>: the service's <see cref="IRetainedRecords{TDb}"/>).</summary>
public sealed record PrunedRows(int Outbox, int Inbox, int IdempotentRequests, int Own)
{
    public int Total => Outbox + Inbox + IdempotentRequests + Own;
}
