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
    /// How often each of the <paramref name="endpoints"/> queues that take the message consumed it: the fewest of their
    /// counts, 0 until that many queues have consumed it at all (a queue that has not yet is not known to the counter,
    /// so a test of a message several of the service's queues take names how many).
    /// </summary>
    public int Of(Guid messageId, int endpoints = 1)
    {
        var counts = consumed.Where(c => c.Key.MessageId == messageId).Select(c => c.Value).ToList();
        return counts.Count < endpoints ? 0 : counts.Min();
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
