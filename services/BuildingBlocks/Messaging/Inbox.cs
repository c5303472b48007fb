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

/// <summary>
/// An <see cref="InboxConsumer{TMessage,TDb}"/> for busy event streams: the messages that arrive together (up to
/// <see cref="InboxBatching.Limit"/>, waiting at most <see cref="InboxBatching.Window"/> for more) are applied once each, in their order, in ONE
/// transaction with one inbox insert and one SaveChanges, instead of a transaction per message. Register it with
/// <see cref="InboxBatching.AddInboxBatchConsumer{TConsumer}"/>; one batch runs at a time per service instance, so two
/// batches never lock the same rows in different orders. If the batch fails, each message is applied on its own,
/// so one bad message cannot hold back the others; the failure is then rethrown for the retry policy.
/// </summary>
public abstract class InboxBatchConsumer<TMessage, TDb>(TDb db, TimeProvider clock) : IConsumer<Batch<TMessage>>
    where TMessage : class
    where TDb : DbContext
{
    protected TDb Db { get; } = db;

    protected TimeProvider Clock { get; } = clock;

    public async Task Consume(ConsumeContext<Batch<TMessage>> context)
    {
        var ct = context.CancellationToken;
        var consumer = GetType().Name;
        var messages = context.Message
            .Select(m => (Id: m.MessageId ?? throw new InvalidOperationException("A message without a message id cannot be applied once"), m.Message))
            .DistinctBy(m => m.Id)
            .ToList();
        try
        {
            Db.ChangeTracker.Clear();
            await using var tx = await Db.BeginWholeTransactionAsync(ct);
            var now = Clock.GetUtcNow();
            var ids = messages.Select(m => m.Id).ToArray();
            var fresh = (await Db.Database.SqlQuery<Guid>($"""
                INSERT INTO inbox_messages (message_id, consumer, processed_at)
                SELECT id, {consumer}, {now} FROM unnest({ids}) AS t(id)
                ON CONFLICT DO NOTHING RETURNING message_id AS "Value"
                """).ToListAsync(ct)).ToHashSet();
            await ApplyAllAsync([.. messages.Where(m => fresh.Contains(m.Id)).Select(m => m.Message)], ct);
            await Db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested && messages.Count > 1)
        {
            Exception? first = null;
            foreach (var (id, message) in messages)
            {
                try
                {
                    Db.ChangeTracker.Clear();
                    await Db.ApplyOnceAsync(id, consumer, Clock, c => ApplyAllAsync([message], c), ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    first ??= e;
                }
            }

            if (first is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            }
        }
    }

    /// <summary>
    /// Before the messages are applied one at a time: load what they will read into <see cref="Db"/>'s unit of work (or
    /// the consumer's services) with a few set-based queries, so each message finds it there without a round trip. It is
    /// called for every batch, also a batch of one and each message applied alone after a batch failed, so what it
    /// loads is never older than the transaction that uses it.
    /// </summary>
    protected virtual Task LoadAsync(IReadOnlyList<TMessage> messages, CancellationToken ct) => Task.CompletedTask;

    /// <summary>One message's effects on <see cref="Db"/>, staged (SaveChanges is called for the batch).</summary>
    protected abstract Task ApplyAsync(TMessage message, CancellationToken ct);

    /// <summary>
    /// The effects of the batch's new messages, in their order. By default each through <see cref="ApplyAsync"/>; override
    /// it to apply the whole batch with a few set-based statements (then <see cref="ApplyAsync"/> can answer
    /// <c>ApplyAllAsync([message], ct)</c>).
    /// </summary>
    protected virtual async Task ApplyAllAsync(IReadOnlyList<TMessage> messages, CancellationToken ct)
    {
        await LoadAsync(messages, ct);
        foreach (var message in messages)
        {
            await ApplyAsync(message, ct);
        }
    }
}

public static class InboxBatching
{
    /// <summary>Most messages applied in one transaction.</summary>
    public const int Limit = 100;

    /// <summary>How long a batch waits for more messages after its first: the latency a quiet stream pays.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The window of a consumer nobody waits on (loyalty points, value tiers, work items, receivables), where a tenth of
    /// a second does not matter. A batch costs about the same few round trips and one transaction whether it holds two
    /// messages or fifty, and a batch consumer starts its next batch as soon as the last one ends, so with a short window
    /// such a consumer takes more batches, each smaller, the more CPU it can get: it takes it from the consumers and
    /// relays a payment waits on. With this window it takes at most about ten batches a second.
    /// </summary>
    public static readonly TimeSpan BackgroundWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>Adds a batch inbox consumer with the batch limits of <see cref="InboxBatchConsumer{TMessage,TDb}"/>.</summary>
    /// <param name="window">How long a batch waits for more messages after its first: <see cref="Window"/> unless given.</param>
    public static void AddInboxBatchConsumer<TConsumer>(this IBusRegistrationConfigurator bus, TimeSpan? window = null)
        where TConsumer : class, IConsumer =>
        bus.AddConsumer<TConsumer>(c => c.Options<BatchOptions>(o => o
            .SetMessageLimit(Limit)
            .SetTimeLimit(window ?? Window)
            .SetConcurrencyLimit(1)));
}
