using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Messaging;
using Platform.Testing;

namespace Platform.Tests.Messaging;

/// <summary>The four promises of the outbox and inbox, against the real PostgreSQL and RabbitMQ.</summary>
public sealed class OutboxInboxTests
{
    /// <summary>Publishes through the bus, then "dies" before the relay marks the row sent (its transaction never commits).</summary>
    private sealed class DiesAfterPublishing(IOutboxTransport bus, CancellationTokenSource process) : IOutboxTransport
    {
        public async Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken ct)
        {
            await bus.PublishAsync(message, messageType, messageId, ct);
            await process.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task Event_is_published_even_when_the_relay_dies_between_publishing_and_marking_and_is_applied_once()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("outbox_crash"), await infra.NewVirtualHostAsync("outbox-crash"), runRelay: false);
        var @event = await rig.ChangeAndAnnounceAsync();

        using var process = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Relay(new DiesAfterPublishing(rig.BusTransport, process)).PublishPendingAsync(process.Token));
        Assert.Null((await rig.OutboxRow(@event.EventId)).SentAt);

        Assert.Equal(1, await rig.Relay(rig.BusTransport).PublishPendingAsync(CancellationToken.None));

        await Eventually.Until(() => Task.FromResult(rig.Consumed.Of(@event.EventId)), n => n >= 2, what: "both publishes to be consumed");
        Assert.Equal(1, await rig.EffectsOf(@event.CustomerId));
        Assert.NotNull((await rig.OutboxRow(@event.EventId)).SentAt);
    }

    [Fact]
    public async Task A_service_bus_reports_no_usage_telemetry_to_MassTransit()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("usage_telemetry"), await infra.NewVirtualHostAsync("usage-telemetry"), runRelay: false);

        Assert.False(rig.Host.Services.GetRequiredService<IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled);
    }

    [Fact]
    public async Task Redelivered_message_is_applied_once()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("inbox_redelivery"), await infra.NewVirtualHostAsync("inbox-redelivery"), runRelay: false);
        var @event = new Platform.Contracts.Events.CustomerRegistered(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), "individual", null);

        for (var i = 0; i < 3; i++)
        {
            await rig.BusTransport.PublishAsync(@event, @event.GetType(), @event.EventId, CancellationToken.None);
        }

        await Eventually.Until(() => Task.FromResult(rig.Consumed.Of(@event.EventId)), n => n >= 3, what: "three deliveries consumed");
        Assert.Equal(1, await rig.EffectsOf(@event.CustomerId));
        Assert.Equal(1, await rig.QueryAsync(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == @event.EventId)));
    }

    [Fact]
    public async Task With_the_broker_stopped_changes_commit_and_their_events_go_out_once_it_is_back()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var broker = await Infrastructure.StartDedicatedRabbitMqAsync("outage");
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("outbox_outage"), broker.ConnectionString, runRelay: true);

        await broker.StopAsync();
        var events = new List<Platform.Contracts.Events.CustomerRegistered>();
        for (var i = 0; i < 5; i++)
        {
            events.Add(await rig.ChangeAndAnnounceAsync());
        }

        Assert.Equal(5, await rig.QueryAsync(db => db.Set<Thing>().CountAsync()));
        var pending = await Eventually.Until(() => rig.OutboxRow(events[0].EventId), row => row.Attempts > 0, what: "a failed publish attempt");
        Assert.Null(pending.SentAt);

        await broker.StartAsync();

        foreach (var e in events)
        {
            await Eventually.Until(() => rig.EffectsOf(e.CustomerId), n => n >= 1, TimeSpan.FromSeconds(90), "the event to arrive after the broker came back");
        }

        foreach (var e in events)
        {
            // The relay marks a row once the broker confirms it, which may be after the consumer applied it.
            await Eventually.Until(() => rig.OutboxRow(e.EventId), row => row.SentAt is not null, what: "the row marked sent");
        }

        await Task.Delay(500);
        foreach (var e in events)
        {
            Assert.Equal(1, await rig.EffectsOf(e.CustomerId));
        }
    }

    /// <summary>Records every publish, fails if a row is being published twice at once, then hands it to the bus.</summary>
    private sealed class RecordingTransport(IOutboxTransport bus) : IOutboxTransport
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> inFlight = new();

        public System.Collections.Concurrent.ConcurrentBag<Guid> Published { get; } = [];

        public int Overlaps;

        public async Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken ct)
        {
            if (inFlight.AddOrUpdate(messageId, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref Overlaps);
            }

            await Task.Delay(1, ct); // widen the window in which a second relay could take the same row
            await bus.PublishAsync(message, messageType, messageId, ct);
            Published.Add(messageId);
            inFlight.AddOrUpdate(messageId, 0, (_, n) => n - 1);
        }
    }

    [Fact]
    public async Task Two_relays_on_one_table_never_publish_the_same_row()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("outbox_two_relays"), await infra.NewVirtualHostAsync("outbox-two-relays"), runRelay: false);
        var events = new List<Guid>();
        for (var i = 0; i < 300; i++)
        {
            events.Add((await rig.ChangeAndAnnounceAsync()).EventId);
        }

        var transport = new RecordingTransport(rig.BusTransport);
        var relays = Enumerable.Range(0, 2).Select(_ => rig.Relay(transport)).ToList();
        async Task Drain(OutboxRelay<RigDb> relay)
        {
            for (var pass = 0; pass < 200 && transport.Published.Count < events.Count; pass++)
            {
                await relay.PublishPendingAsync(CancellationToken.None);
            }
        }

        await Task.WhenAll(relays.Select(r => Task.Run(() => Drain(r))));

        Assert.Equal(0, transport.Overlaps);
        Assert.Equal(events.Count, transport.Published.Count);
        Assert.Equal(events.OrderBy(e => e), transport.Published.Distinct().OrderBy(e => e));
        Assert.Equal(0, await rig.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null)));
    }

    /// <summary>A broker slow to confirm: each publish takes a second, whatever happens meanwhile.</summary>
    private sealed class SlowTransport(IBus bus) : IOutboxTransport
    {
        private readonly BusOutboxTransport inner = new(bus);
        private int completed;

        public TaskCompletionSource Publishing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Completed => Volatile.Read(ref completed);

        public async Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken ct)
        {
            Publishing.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            await inner.PublishAsync(message, messageType, messageId, ct);
            Interlocked.Increment(ref completed);
        }
    }

    [Fact]
    public async Task Stopping_the_service_finishes_the_relay_pass_in_progress_instead_of_cancelling_its_publishes()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("outbox_stop"), await infra.NewVirtualHostAsync("outbox-stop"), runRelay: true,
            services: s => s.AddSingleton<IOutboxTransport, SlowTransport>());
        var transport = (SlowTransport)rig.BusTransport;
        var @event = await rig.ChangeAndAnnounceAsync();
        await transport.Publishing.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await rig.StopAsync();

        Assert.Equal(1, transport.Completed);
        Assert.NotNull((await rig.OutboxRow(@event.EventId)).SentAt);
    }

    [Fact]
    public async Task Idle_relay_waits_for_work_instead_of_spinning()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("outbox_idle"), await infra.NewVirtualHostAsync("outbox-idle"), runRelay: true);
        var @event = await rig.ChangeAndAnnounceAsync();
        await Eventually.Until(() => rig.EffectsOf(@event.CustomerId), n => n == 1, what: "the event to be applied");

        var before = await CommitsAsync(rig);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var commits = await CommitsAsync(rig) - before;

        // Polling every 200 ms is about 15 passes; a relay woken by its own commits makes thousands.
        Assert.InRange(commits, 1, 100);
    }

    [Fact]
    public async Task Retention_deletes_published_outbox_rows_applied_inbox_rows_and_first_answers_past_their_age_keeps_the_rest_and_prunes_on_one_replica_at_a_time()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var rig = await MessagingRig.StartAsync(await infra.NewDatabaseAsync("message_retention"), await infra.NewVirtualHostAsync("message-retention"), runRelay: false);
        var now = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        OutboxMessage Row(DateTimeOffset created, DateTimeOffset? sent) => new()
        {
            Id = Guid.CreateVersion7(), MessageType = "Test", Payload = "{}", CreatedAt = created, NextAttemptAt = created, SentAt = sent,
        };
        var oldSent = Enumerable.Range(0, 5).Select(_ => Row(now.AddDays(-2), now.AddDays(-2))).ToList();
        var recentSent = Row(now.AddHours(-2), now.AddHours(-1));
        var oldPending = Row(now.AddDays(-3), null); // never published (a broker away for days): kept whatever its age
        var oldApplied = Enumerable.Range(0, 3).Select(_ => new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "c", ProcessedAt = now.AddDays(-8) }).ToList();
        var recentApplied = new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "c", ProcessedAt = now.AddDays(-1) };
        IdempotentRequest Answer(string key, DateTimeOffset at) => new() { Key = key, Request = "{}", Response = [1], CreatedAt = at };
        var oldAnswers = Enumerable.Range(0, 4).Select(i => Answer($"RecordPaymentRequest:old-{i}", now.AddDays(-7).AddMinutes(-1))).ToList();
        var recentAnswer = Answer("RecordPaymentRequest:recent", now.AddDays(-6));
        await rig.QueryAsync(db =>
        {
            db.AddRange([.. oldSent, recentSent, oldPending]);
            db.AddRange([.. oldApplied, recentApplied]);
            db.AddRange([.. oldAnswers, recentAnswer]);
            return db.SaveChangesAsync();
        });
        var retention = ActivatorUtilities.CreateInstance<MessageRetention<RigDb>>(rig.Host.Services, new FakeTimeProvider(now),
            Options.Create(new MessageRetentionOptions { BatchSize = 2 })); // several batches per table

        // Another replica pruning (holding the lock): this one skips its pass and deletes nothing.
        await using (var scope = rig.Host.Services.CreateAsyncScope())
        {
            var other = scope.ServiceProvider.GetRequiredService<RigDb>();
            await using var tx = await other.Database.BeginTransactionAsync();
            await other.LockForTransactionAsync(AdvisoryLocks.KeyOf("job:message-retention"), CancellationToken.None);
            Assert.Equal(new PrunedRows(0, 0, 0, 0), await retention.PruneAsync(CancellationToken.None));
        }

        Assert.Equal(new PrunedRows(5, 3, 4, 0), await retention.PruneAsync(CancellationToken.None));
        var outbox = await rig.QueryAsync(db => db.Set<OutboxMessage>().Select(m => m.Id).ToListAsync());
        var inbox = await rig.QueryAsync(db => db.Set<InboxMessage>().Select(m => m.MessageId).ToListAsync());
        var answers = await rig.QueryAsync(db => db.Set<IdempotentRequest>().Select(r => r.Key).ToListAsync());
        Assert.Equal(new[] { recentSent.Id, oldPending.Id }.Order(), outbox.Order());
        Assert.Equal([recentApplied.MessageId], inbox);
        Assert.Equal([recentAnswer.Key], answers);
        Assert.Equal(new PrunedRows(0, 0, 0, 0), await retention.PruneAsync(CancellationToken.None));
    }

    private static Task<long> CommitsAsync(MessagingRig rig) => rig.QueryAsync(db => db.Database
        .SqlQuery<long>($"SELECT xact_commit AS \"Value\" FROM pg_stat_database WHERE datname = current_database()").SingleAsync());
}
