using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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

        await Eventually.Until(() => Task.FromResult(rig.Counter.Deliveries), n => n >= 2, what: "both publishes to be delivered");
        await Eventually.Until(() => rig.EffectsOf(@event.CustomerId), n => n >= 1, what: "the effect");
        await Task.Delay(500);
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

        await Eventually.Until(() => Task.FromResult(rig.Counter.Deliveries), n => n >= 3, what: "three deliveries");
        await Task.Delay(300);
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

        await Task.Delay(500);
        foreach (var e in events)
        {
            Assert.Equal(1, await rig.EffectsOf(e.CustomerId));
            Assert.NotNull((await rig.OutboxRow(e.EventId)).SentAt);
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

    private static Task<long> CommitsAsync(MessagingRig rig) => rig.QueryAsync(db => db.Database
        .SqlQuery<long>($"SELECT xact_commit AS \"Value\" FROM pg_stat_database WHERE datname = current_database()").SingleAsync());
}
