using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.BuildingBlocks.Data;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>A message as its queue received it: the id its inbox records, when it was sent (if the sender said), and the message.</summary>
public readonly record struct InboxDelivery<TMessage>(Guid MessageId, DateTime? SentTime, TMessage Message);

/// <summary>
/// A consumer that applies several messages in one transaction (<see cref="InboxBatchConsumer{TMessage,TDb}"/>). It is a
/// MassTransit <see cref="IConsumer"/> in name only: the queue's endpoint is named after it, and its
/// <see cref="InboxQueue{TConsumer,TMessage}"/> calls it.
/// </summary>
public interface IInboxBatchConsumer<TMessage> : IConsumer
{
    /// <summary>Applies the messages new to the inbox in one transaction; throws, having committed nothing, when it fails.</summary>
    Task ApplyBatchAsync(IReadOnlyList<InboxDelivery<TMessage>> deliveries, CancellationToken ct);

    /// <summary>Applies one message in its own transaction (after its batch failed).</summary>
    Task ApplyAloneAsync(InboxDelivery<TMessage> delivery, CancellationToken ct);
}

/// <summary>
/// The batches of one inbox batch consumer. Every message of the consumer's RabbitMQ queue waits here until it is
/// committed; one writer takes what has gathered (up to <see cref="InboxBatching.Limit"/>) once its last batch is done and
/// the first waiting message has waited the window, and applies it, in the order the messages were sent, through a
/// fresh <typeparamref name="TConsumer"/>. A message is acknowledged to RabbitMQ only once its batch is committed.
/// </summary>
/// <remarks>
/// This replaces MassTransit's batch consumer, which cuts a batch when its time limit runs out after the batch's first
/// message, whether or not the last batch is done: under a steady stream it cut many small batches that then waited in
/// line behind each other, and the queue's prefetch filled with them. Here a batch is cut when the writer is free to
/// take it, so its size follows from how long the last one took.
/// </remarks>
public sealed class InboxQueue<TConsumer, TMessage>(IServiceScopeFactory scopes, TimeSpan window, ILogger<InboxQueue<TConsumer, TMessage>> log)
    : CommitQueue<InboxDelivery<TMessage>, bool>(InboxBatching.Source, "inbox " + typeof(TConsumer).Name, log), IInboxQueue
    where TConsumer : class, IInboxBatchConsumer<TMessage>
    where TMessage : class
{
    protected override int Writers => 1;

    protected override int BatchSize => InboxBatching.Limit;

    protected override TimeSpan Window => window;

    protected override async Task<IReadOnlyList<bool>> CommitManyAsync(IReadOnlyList<InboxDelivery<TMessage>> items)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TConsumer>().ApplyBatchAsync(items, CancellationToken.None);
        return [.. items.Select(_ => true)];
    }

    protected override async Task<bool> CommitAloneAsync(InboxDelivery<TMessage> item)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TConsumer>().ApplyAloneAsync(item, CancellationToken.None);
        return true;
    }
}

/// <summary>An inbox batch queue; <see cref="InboxQueues"/> starts and stops them all.</summary>
public interface IInboxQueue : IHostedService;

/// <summary>
/// Starts the service's inbox queues before the bus and stops them after it. Hosted services stop in the reverse order
/// of their registration, and this one is registered before MassTransit's: on shutdown the bus first stops taking
/// messages and waits for those handed to a queue, then the queues stop. A queue stopped first would cancel the
/// messages still waiting in it, and MassTransit would count each as a failure to retry and, in the end, dead-letter.
/// </summary>
public sealed class InboxQueues(IEnumerable<IInboxQueue> queues) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in queues)
        {
            await queue.StartAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.WhenAll(queues.Select(q => q.StopAsync(cancellationToken)));
}

/// <summary>Hands each message to the <see cref="InboxQueue{TConsumer,TMessage}"/> and completes when it is committed.</summary>
public sealed class InboxQueueConsumer<TConsumer, TMessage>(InboxQueue<TConsumer, TMessage> queue) : IConsumer<TMessage>
    where TConsumer : class, IInboxBatchConsumer<TMessage>
    where TMessage : class
{
    public Task Consume(ConsumeContext<TMessage> context) => queue.CommitAsync(
        new InboxDelivery<TMessage>(context.MessageId ?? throw new InvalidOperationException("A message without a message id cannot be applied once"),
            context.SentTime, context.Message),
        context.CancellationToken);
}

/// <summary>
/// The endpoint of an inbox batch consumer: named as MassTransit names <typeparamref name="TConsumer"/>, and with room
/// for a full batch to gather while another is applied.
/// </summary>
public sealed class InboxQueueConsumerDefinition<TConsumer, TMessage> : ConsumerDefinition<InboxQueueConsumer<TConsumer, TMessage>>, IConsumerDefinition
    where TConsumer : class, IInboxBatchConsumer<TMessage>
    where TMessage : class
{
    /// <summary>Messages handed to the queue at once: a batch being applied and the next one gathering.</summary>
    public const int InFlight = 2 * InboxBatching.Limit;

    public InboxQueueConsumerDefinition()
    {
        Endpoint(e =>
        {
            e.PrefetchCount = InFlight;
            e.ConcurrentMessageLimit = InFlight;
        });
    }

    // ConsumerDefinition's own GetEndpointName is not virtual; re-implementing the interface's is how a definition names
    // its endpoint after another type.
    string IConsumerDefinition.GetEndpointName(IEndpointNameFormatter formatter) => formatter.Consumer<TConsumer>();
}
