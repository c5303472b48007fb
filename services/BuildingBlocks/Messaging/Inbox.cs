using MassTransit;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Data;

namespace Platform.BuildingBlocks.Messaging;

public static class Inbox
{
    /// <summary>
    /// Applies a message once per consumer: records (message id, consumer) and the handler's changes (including any
    /// outbox rows it queues) in one transaction. A repeat — a redelivery or a re-publish after a relay crash — finds the
    /// record and changes nothing. Answers false for a repeat. A handler that throws leaves no record, so the message is retried.
    /// </summary>
    public static async Task<bool> ApplyOnceAsync(this DbContext db, Guid messageId, string consumer, TimeProvider clock,
        Func<CancellationToken, Task> apply, CancellationToken ct)
    {
        await using var tx = await db.BeginWholeTransactionAsync(ct);
        var recorded = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES ({messageId}, {consumer}, {clock.GetUtcNow()}) ON CONFLICT DO NOTHING",
            ct);
        if (recorded == 0)
        {
            await tx.RollbackAsync(ct);
            return false;
        }

        await apply(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}

/// <summary>A MassTransit consumer whose effects are applied once per message id, through the inbox of <typeparamref name="TDb"/>.</summary>
public abstract class InboxConsumer<TMessage, TDb>(TDb db, TimeProvider clock) : IConsumer<TMessage>
    where TMessage : class
    where TDb : DbContext
{
    protected TDb Db { get; } = db;

    protected TimeProvider Clock { get; } = clock;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("A message without a message id cannot be applied once");
        Db.ChangeTracker.Clear();
        await Db.ApplyOnceAsync(messageId, GetType().Name, Clock, ct => ApplyAsync(context.Message, ct), context.CancellationToken);
    }

    /// <summary>The consumer's effects: change entities of <see cref="Db"/> (SaveChanges is called for you).</summary>
    protected abstract Task ApplyAsync(TMessage message, CancellationToken ct);
}
