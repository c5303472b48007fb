using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
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
    /// the change (see <see cref="InsertCommand"/>); such code pulses <see cref="OutboxSignal"/> after its commit.
    /// </summary>
    /// <param name="traceParent">The W3C trace context the event belongs to; by default the current activity's.</param>
    public static OutboxMessage Message<TEvent>(TEvent @event, TimeProvider clock, string? traceParent = null) where TEvent : class, IIntegrationEvent
    {
        var now = clock.GetUtcNow();
        return new OutboxMessage
        {
            Id = @event.EventId,
            MessageType = typeof(TEvent).FullName!,
            Payload = JsonSerializer.Serialize(@event, Json),
            TraceParent = traceParent ?? CurrentTraceParent(),
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    /// <summary>The current activity's W3C trace context, or null.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>
    /// One statement inserting <paramref name="messages"/> in their order (their sequence numbers follow it, and the
    /// relay takes the oldest due rows first), for code that writes its change with its own SQL in the same transaction.
    /// </summary>
    public static NpgsqlBatchCommand InsertCommand(IReadOnlyList<OutboxMessage> messages)
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO outbox_messages (id, message_type, payload, trace_parent, created_at, next_attempt_at, attempts) " +
            "SELECT m.id, m.message_type, m.payload, m.trace_parent, m.created_at, m.created_at, 0 " +
            "FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS m(id, message_type, payload, trace_parent, created_at, n) " +
            "ORDER BY m.n");
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.MessageType).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Payload).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.TraceParent).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.CreatedAt).ToArray() });
        return command;
    }
}
