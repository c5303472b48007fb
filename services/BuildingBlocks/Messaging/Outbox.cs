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
    public static void Enqueue<TEvent>(this DbContext db, TEvent @event, TimeProvider clock) where TEvent : class, IIntegrationEvent =>
        db.Set<OutboxMessage>().Add(Message(@event, clock));

    /// <summary>
    /// The outbox row for <paramref name="event"/>, for code that writes it with its own SQL in the same transaction as
    /// the change (see <see cref="OutboxSql"/>); such code pulses <see cref="OutboxSignal"/> after its commit.
    /// </summary>
    public static OutboxMessage Message<TEvent>(TEvent @event, TimeProvider clock) where TEvent : class, IIntegrationEvent
    {
        var now = clock.GetUtcNow();
        return new OutboxMessage
        {
            Id = @event.EventId,
            MessageType = typeof(TEvent).FullName!,
            Payload = JsonSerializer.Serialize(@event, Json),
            TraceParent = Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null,
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    /// <summary>Inserts <see cref="OutboxMessage"/> rows; parameters: id, message_type, payload, trace_parent, created_at.</summary>
    public const string OutboxSql =
        "INSERT INTO outbox_messages (id, message_type, payload, trace_parent, created_at, next_attempt_at, attempts) VALUES ($1, $2, $3::jsonb, $4, $5, $5, 0)";
}
