using System.Collections.Concurrent;
using MassTransit;

namespace Platform.Testing;

/// <summary>
/// Counts, per receive endpoint, how often each message id was consumed there (applied, or recognised as a repeat by
/// the inbox), so that a test can wait for a redelivery to be dealt with rather than sleep: a repeat leaves no trace of
/// its own in the database.
/// </summary>
public sealed class ConsumedCounter : IConsumeObserver
{
    private readonly ConcurrentDictionary<(Uri? Endpoint, Guid MessageId), int> consumed = new();

    /// <summary>
    /// How often the message was consumed by each endpoint that consumed it: the fewest of their counts, so that a
    /// service whose queues both take an event has consumed it <c>n</c> times when each of them has (0: none has yet).
    /// </summary>
    public int Of(Guid messageId)
    {
        var counts = consumed.Where(c => c.Key.MessageId == messageId).Select(c => c.Value).ToList();
        return counts.Count == 0 ? 0 : counts.Min();
    }

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (context.MessageId is { } id)
        {
            consumed.AddOrUpdate((context.ReceiveContext.InputAddress, id), 1, (_, n) => n + 1);
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
