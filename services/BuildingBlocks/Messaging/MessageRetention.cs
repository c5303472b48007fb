using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Data;

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
/// says, so neither table (nor its indexes) grows with every event the service ever sent or applied. One replica prunes
/// at a time (an advisory lock per batch; a replica that finds it taken skips the pass).
/// </summary>
public sealed class MessageRetention<TDb>(IServiceScopeFactory scopes, TimeProvider clock, IOptions<MessageRetentionOptions> options)
    where TDb : DbContext
{
    private static readonly long LockKey = AdvisoryLocks.KeyOf("message-retention:" + typeof(TDb).FullName);

    /// <summary>One pass. Answers the outbox and inbox rows deleted.</summary>
    public async Task<(int Outbox, int Inbox)> PruneAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var outboxBefore = now - options.Value.Outbox;
        var inboxBefore = now - options.Value.Inbox;
        var size = options.Value.BatchSize;
        var outbox = await DeleteAllAsync(db => db.Database.ExecuteSqlAsync($"""
            DELETE FROM outbox_messages WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM outbox_messages WHERE sent_at IS NOT NULL AND sent_at < {outboxBefore} LIMIT {size}))
            """, ct), size, ct);
        var inbox = await DeleteAllAsync(db => db.Database.ExecuteSqlAsync($"""
            DELETE FROM inbox_messages WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM inbox_messages WHERE processed_at < {inboxBefore} LIMIT {size}))
            """, ct), size, ct);
        return (outbox, inbox);
    }

    private async Task<int> DeleteAllAsync(Func<TDb, Task<int>> deleteBatch, int size, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDb>();
            await using var tx = await db.BeginWholeTransactionAsync(ct);
            if (!await db.TryLockForTransactionAsync(LockKey, ct))
            {
                return total; // another replica is pruning
            }

            var deleted = await deleteBatch(db);
            await tx.CommitAsync(ct);
            total += deleted;
            if (deleted < size)
            {
                return total;
            }
        }
    }
}

/// <summary>Runs <see cref="MessageRetention{TDb}"/> every <see cref="MessageRetentionOptions.Interval"/>, the first pass one interval after start.</summary>
public sealed class MessageRetentionService<TDb>(
    MessageRetention<TDb> retention,
    TimeProvider clock,
    IOptions<MessageRetentionOptions> options,
    ILogger<MessageRetentionService<TDb>> log) : BackgroundService where TDb : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PruneAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PruneAsync(CancellationToken stoppingToken)
    {
        try
        {
            var (outbox, inbox) = await retention.PruneAsync(stoppingToken);
            if (outbox + inbox > 0)
            {
                log.LogInformation("Message retention deleted {Outbox} published outbox row(s) and {Inbox} inbox row(s)", outbox, inbox);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            log.LogWarning(e, "Message retention pass failed; trying again at the next interval");
        }
    }
}
