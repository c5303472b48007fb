using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Data;

namespace Platform.BuildingBlocks.Messaging;

public sealed class OutboxOptions
{
    public int BatchSize { get; set; } = 100;

    /// <summary>How often the relay looks for rows when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A publish not confirmed by the broker within this time counts as failed and is retried.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Publishes pending outbox rows of <typeparamref name="TDb"/> and marks them sent, in one transaction per batch: the
/// oldest due rows, published together (their broker confirms pipelined), so the order in which they reach the broker
/// is not guaranteed; consumers never rely on it (each event type goes to its consumers' own queues, which are not
/// ordered against each other either; a consumer that cares compares the events' times). Rows are locked with FOR
/// UPDATE SKIP LOCKED, so relays of several replicas share a table without ever publishing the same row at the same
/// time. A relay that dies after publishing and before committing leaves the rows pending; they are published again
/// with the same message id and the consumers' inboxes drop the repeat. A failed publish is retried with exponential
/// backoff and jitter; rows behind it do not wait for it.
/// </summary>
public sealed class OutboxRelay<TDb>(
    IServiceScopeFactory scopes,
    IOutboxTransport transport,
    TimeProvider clock,
    IOptions<OutboxOptions> options,
    ILogger<OutboxRelay<TDb>> log) where TDb : DbContext
{
    internal static readonly ActivitySource Source = new("Platform.Outbox");
    private static readonly Meter Meter = new("Platform.Outbox");
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("platform.outbox.published", description: "Outbox rows published");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("platform.outbox.publish_failures", description: "Failed publish attempts");
    private static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("platform.outbox.lag", "s", "Time from commit of the change to its publish");

    /// <summary>One pass: publishes what is due. Answers the number of rows published.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        await using var tx = await db.BeginWholeTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var due = await db.Set<OutboxMessage>()
            .FromSql($"SELECT * FROM outbox_messages WHERE sent_at IS NULL AND next_attempt_at <= {now} ORDER BY sequence LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(ct);

        // All at once: the broker confirms them as one stream instead of one round trip each.
        var outcomes = await Task.WhenAll(due.Select(row => TryPublishAsync(row, ct)));
        var sent = new List<Guid>(due.Count);
        for (var i = 0; i < due.Count; i++)
        {
            var row = due[i];
            if (outcomes[i])
            {
                sent.Add(row.Id);
                Published.Add(1);
                Lag.Record((clock.GetUtcNow() - row.CreatedAt).TotalSeconds);
            }
            else
            {
                row.Attempts++;
                row.NextAttemptAt = now + Backoff(row.Attempts);
            }
        }

        if (sent.Count > 0)
        {
            var sentAt = clock.GetUtcNow();
            await db.Set<OutboxMessage>().Where(m => sent.Contains(m.Id))
                .ExecuteUpdateAsync(m => m.SetProperty(r => r.SentAt, sentAt).SetProperty(r => r.LastError, (string?)null), ct);
        }

        await db.SaveChangesAsync(ct); // the rows that failed: their attempts and backoff
        await tx.CommitAsync(ct);
        return sent.Count;
    }

    private async Task<bool> TryPublishAsync(OutboxMessage row, CancellationToken ct)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = Source.StartActivity("outbox publish " + row.MessageType, ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.Id);
        try
        {
            var type = EventTypes.Resolve(row.MessageType);
            var message = JsonSerializer.Deserialize(row.Payload, type, Outbox.Json)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.PublishTimeout);
            await transport.PublishAsync(message, type, row.Id, timeout.Token);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            row.LastError = e.GetType().Name + ": " + e.Message;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            Failures.Add(1);
            log.LogWarning("Publishing outbox message {MessageId} ({MessageType}) failed, attempt {Attempt}: {Error}",
                row.Id, row.MessageType, row.Attempts + 1, row.LastError);
            return false;
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var exponential = TimeSpan.FromMilliseconds(250 * Math.Pow(2, Math.Min(attempts, 16)));
        var capped = exponential < options.Value.MaxBackoff ? exponential : options.Value.MaxBackoff;
        return capped * (0.75 + Random.Shared.NextDouble() * 0.5);
    }
}
