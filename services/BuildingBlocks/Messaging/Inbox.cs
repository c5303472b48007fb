using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
/// An <see cref="InboxConsumer{TMessage,TDb}"/> for busy event streams: the messages that have gathered while the last
/// batch was applied (up to <see cref="InboxBatching.Limit"/>) are applied once each, in their order, in ONE transaction
/// with one inbox insert and one SaveChanges, instead of a transaction per message. Register it with
/// <see cref="InboxBatching.AddInboxBatchConsumer{TConsumer,TMessage}"/>: its queue (<see cref="InboxQueue{TConsumer,TMessage}"/>)
/// applies one batch at a time per service instance, so two batches never lock the same rows in different orders. If a
/// batch fails, each of its messages is applied on its own, so one bad message cannot hold back the others, and only the
/// bad one fails (and is retried by the retry policy).
/// </summary>
public abstract class InboxBatchConsumer<TMessage, TDb>(TDb db, TimeProvider clock) : IInboxBatchConsumer<TMessage>
    where TMessage : class
    where TDb : DbContext
{
    protected TDb Db { get; } = db;

    protected TimeProvider Clock { get; } = clock;

    public async Task ApplyBatchAsync(IReadOnlyList<InboxDelivery<TMessage>> deliveries, CancellationToken ct)
    {
        var consumer = GetType().Name;
        var messages = InboxBatching.InOrder(deliveries);
        Db.ChangeTracker.Clear();
        await using var tx = await Db.BeginWholeTransactionAsync(ct);
        var now = Clock.GetUtcNow();
        var ids = messages.Select(m => m.MessageId).ToArray();
        var fresh = (await Db.Database.SqlQuery<Guid>($"""
            INSERT INTO inbox_messages (message_id, consumer, processed_at)
            SELECT id, {consumer}, {now} FROM unnest({ids}) AS t(id)
            ON CONFLICT DO NOTHING RETURNING message_id AS "Value"
            """).ToListAsync(ct)).ToHashSet();
        await ApplyAllAsync([.. messages.Where(m => fresh.Contains(m.MessageId)).Select(m => m.Message)], ct);
        await Db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task ApplyAloneAsync(InboxDelivery<TMessage> delivery, CancellationToken ct)
    {
        Db.ChangeTracker.Clear();
        await Db.ApplyOnceAsync(delivery.MessageId, GetType().Name, Clock, c => ApplyAllAsync([delivery.Message], c), ct);
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
    internal static readonly ActivitySource Source = new("Platform.Inbox");

    /// <summary>Most messages applied in one transaction.</summary>
    public const int Limit = 100;

    /// <summary>
    /// How long a batch of a consumer a payment's visibility waits on (billing's deposits) waits for company after its
    /// first message arrives: messages published together share a batch (MassTransit hands over a queue's messages
    /// concurrently, so they reach the queue in no fixed order, and a batch puts them back in order). Under load the
    /// batch takes everything that gathered while the last one ran.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The window of a consumer nobody waits on (loyalty points, value tiers, lifecycle, work items, receivables), where a
    /// tenth of a second does not matter. A batch costs about the same few round trips and one transaction whether it
    /// holds two messages or fifty, and a queue starts its next batch as soon as the last one ends, so with a short
    /// window such a consumer takes more batches, each smaller, the more CPU it can get: it takes it from the consumers and
    /// relays a payment waits on. With this window it takes at most about ten batches a second.
    /// </summary>
    public static readonly TimeSpan BackgroundWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A batch's messages once each, in the order they were sent: MassTransit hands a queue's messages over concurrently,
    /// so they reach the batch in no fixed order. A stable sort: where the times are equal (or unknown), as they came.
    /// </summary>
    public static List<InboxDelivery<TMessage>> InOrder<TMessage>(IReadOnlyList<InboxDelivery<TMessage>> deliveries) =>
        [.. deliveries.DistinctBy(m => m.MessageId).OrderBy(m => m.SentTime ?? DateTime.MinValue)];

    /// <summary>
    /// Adds a batch inbox consumer: MassTransit hands each message of the consumer's queue to an
    /// <see cref="InboxQueue{TConsumer,TMessage}"/>, which applies what has gathered through <typeparamref name="TConsumer"/>.
    /// The RabbitMQ queue keeps the name MassTransit gives <typeparamref name="TConsumer"/>.
    /// </summary>
    /// <param name="window">How long a batch waits for company after its first message: <see cref="Window"/> unless given.</param>
    public static void AddInboxBatchConsumer<TConsumer, TMessage>(this IBusRegistrationConfigurator bus, TimeSpan? window = null)
        where TConsumer : class, IInboxBatchConsumer<TMessage>
        where TMessage : class
    {
        bus.TryAddScoped<TConsumer>();
        bus.AddSingleton(sp => ActivatorUtilities.CreateInstance<InboxQueue<TConsumer, TMessage>>(sp, window ?? Window));
        bus.AddSingleton<IInboxQueue>(sp => sp.GetRequiredService<InboxQueue<TConsumer, TMessage>>()); // run by InboxQueues
        bus.AddConsumer<InboxQueueConsumer<TConsumer, TMessage>, InboxQueueConsumerDefinition<TConsumer, TMessage>>();
    }
}
