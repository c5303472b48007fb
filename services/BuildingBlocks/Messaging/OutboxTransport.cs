using MassTransit;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>Where the relay hands an event; the bus in production.</summary>
public interface IOutboxTransport
{
    Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken ct);
}

/// <summary>Publishes through MassTransit; the task completes when the broker confirms (publisher confirms are on by default).</summary>
public sealed class BusOutboxTransport(IBus bus) : IOutboxTransport
{
    public Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken ct) =>
        bus.Publish(message, messageType, ctx => ctx.MessageId = messageId, ct);
}
