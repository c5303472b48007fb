using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Events;

namespace Platform.BuildingBlocks.Messaging;

public static class Outbox
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Queues an event in the outbox of <paramref name="db"/>; it is written by the same SaveChanges (and so the same
    /// transaction) as the change it announces, and published by the relay after commit.
    /// </summary>
    public static void Enqueue<TEvent>(this DbContext db, TEvent @event, TimeProvider clock) where TEvent : class, IIntegrationEvent
    {
        var now = clock.GetUtcNow();
        db.Set<OutboxMessage>().Add(new OutboxMessage
        {
            Id = @event.EventId,
            MessageType = typeof(TEvent).FullName!,
            Payload = JsonSerializer.Serialize(@event, Json),
            TraceParent = Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null,
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }
}
