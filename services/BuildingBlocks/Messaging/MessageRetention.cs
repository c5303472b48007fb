using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Scheduling;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>How long the outbox keeps the rows it has published and the inbox the messages it has applied.</summary>
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

    /// <summary>How often a replica prunes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rows deleted per statement (one short transaction each, so neither table is locked for long).</summary>
    public int BatchSize { get; set; } = 5_000;
}

/// <summary>
/// Deletes published outbox rows and applied inbox rows once they are older than <see cref="MessageRetentionOptions"/>
/// says, so neither table (nor its indexes) grows with every event the service ever sent or applied. A
/// <see cref="ScheduledJob{TDb}"/>: every <see cref="MessageRetentionOptions.Interval"/>, on one replica at a time.
/// </summary>
public sealed class MessageRetention<TDb>(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MessageRetentionOptions> options,
    ILogger<MessageRetention<TDb>> log) : ScheduledJob<TDb>(scopes, clock, log)
    where TDb : DbContext
{
    protected override string Name => "message-retention";

    protected override TimeSpan Interval => options.Value.Interval;

    /// <summary>One pass now. Answers the outbox and inbox rows deleted; none while another replica prunes.</summary>
    public async Task<(int Outbox, int Inbox)> PruneAsync(CancellationToken ct) => (await RunLockedAsync(PruneLockedAsync, ct)).Result;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var (outbox, inbox) = await PruneLockedAsync(services, now, ct);
        return outbox + inbox;
    }

    private async Task<(int Outbox, int Inbox)> PruneLockedAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<TDb>();
        var outboxBefore = now - options.Value.Outbox;
        var inboxBefore = now - options.Value.Inbox;
        var size = options.Value.BatchSize;
        var outbox = await DeleteAllAsync(() => db.Database.ExecuteSqlAsync($"""
            DELETE FROM outbox_messages WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM outbox_messages WHERE sent_at IS NOT NULL AND sent_at < {outboxBefore} LIMIT {size}))
            """, ct), size);
        var inbox = await DeleteAllAsync(() => db.Database.ExecuteSqlAsync($"""
            DELETE FROM inbox_messages WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM inbox_messages WHERE processed_at < {inboxBefore} LIMIT {size}))
            """, ct), size);
        return (outbox, inbox);
    }

    /// <summary>Runs the batch delete (each its own short transaction) until a batch finds fewer rows than it may take.</summary>
    private static async Task<int> DeleteAllAsync(Func<Task<int>> deleteBatch, int size)
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
