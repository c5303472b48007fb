using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Testing;

namespace Platform.Tests.Messaging;

/// <summary>What the batch consumer saw: each batch's customers, and a gate its first batch waits at.</summary>
public sealed class BatchProbe
{
    public const string Poison = "poison";

    private int held;

    public ConcurrentQueue<Guid[]> Batches { get; } = new();

    public TaskCompletionSource FirstBatchGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A probe whose first batch does not wait.</summary>
    public static BatchProbe Ungated()
    {
        var probe = new BatchProbe();
        probe.FirstBatchGate.SetResult();
        return probe;
    }

    private int poisonAttempts;

    public int PoisonAttempts => Volatile.Read(ref poisonAttempts);

    public void PoisonFailed() => Interlocked.Increment(ref poisonAttempts);

    public Task WaitIfFirstAsync() => Interlocked.Exchange(ref held, 1) == 0 ? FirstBatchGate.Task : Task.CompletedTask;
}

/// <summary>Applies CustomerRegistered in batches: one Effect row per message; a batch holding a "poison" kind fails.</summary>
public sealed class BatchEffectConsumer(RigDb db, TimeProvider clock, BatchProbe probe) : InboxBatchConsumer<CustomerRegistered, RigDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerRegistered message, CancellationToken ct) => ApplyAllAsync([message], ct);

    protected override async Task ApplyAllAsync(IReadOnlyList<CustomerRegistered> messages, CancellationToken ct)
    {
        probe.Batches.Enqueue([.. messages.Select(m => m.CustomerId)]);
        await probe.WaitIfFirstAsync();
        if (messages.Any(m => m.Kind == BatchProbe.Poison))
        {
            probe.PoisonFailed();
            throw new InvalidOperationException("a message this consumer cannot apply");
        }

        foreach (var message in messages)
        {
            Db.Add(new Effect { Id = Guid.CreateVersion7(), CustomerId = message.CustomerId });
        }
    }
}

/// <summary>The inbox batch queue against the real PostgreSQL and RabbitMQ.</summary>
public sealed class InboxQueueTests
{
    /// <summary>A rig on its own database and virtual host with <see cref="BatchEffectConsumer"/> reporting to <paramref name="probe"/>.</summary>
    private static Task<MessagingRig> StartAsync(string name, BatchProbe probe, TimeSpan? window = null) => Task.Run(async () =>
    {
        var infra = await Infrastructure.SharedAsync();
        return await MessagingRig.StartAsync(await infra.NewDatabaseAsync(name.Replace('-', '_')), await infra.NewVirtualHostAsync(name), runRelay: false,
            bus => bus.AddInboxBatchConsumer<BatchEffectConsumer, CustomerRegistered>(window), services => services.AddSingleton(probe));
    });

    private static CustomerRegistered Registered(string kind = "individual") =>
        new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), kind, null);

    private static async Task PublishAsync(MessagingRig rig, CustomerRegistered message) =>
        await rig.BusTransport.PublishAsync(message, message.GetType(), message.EventId, CancellationToken.None);

    /// <summary>
    /// Publishes a first message and holds its batch at the probe's gate while the others are published, <paramref name="gap"/>
    /// apart, and handed to the queue; then lets the first batch go. Answers the first message.
    /// </summary>
    private static async Task<CustomerRegistered> HoldFirstBatchWhilePublishingAsync(MessagingRig rig, BatchProbe probe,
        List<CustomerRegistered> others, TimeSpan gap)
    {
        var first = Registered();
        await PublishAsync(rig, first);
        await Eventually.Until(() => !probe.Batches.IsEmpty, TimeSpan.FromSeconds(30), "the first batch to begin");
        foreach (var message in others)
        {
            await PublishAsync(rig, message);
            await Task.Delay(gap);
        }

        // Counted by the queue itself: MassTransit counts a delivery a moment before its consumer hands it over.
        var queue = rig.Host.Services.GetRequiredService<InboxQueue<BatchEffectConsumer, CustomerRegistered>>();
        await Eventually.Until(() => queue.Waiting >= others.Count, TimeSpan.FromSeconds(30), "every message to wait in the queue");
        probe.FirstBatchGate.SetResult();
        return first;
    }

    [Fact]
    public async Task Messages_arriving_while_a_batch_is_applied_share_the_next_batch_and_each_is_applied_once()
    {
        var probe = new BatchProbe();
        await using var rig = await StartAsync("inbox-queue-gather", probe);

        // Spread out, as a steady stream arrives: each would have begun a batch of its own after a fixed window.
        var later = Enumerable.Range(0, 30).Select(_ => Registered()).ToList();
        var first = await HoldFirstBatchWhilePublishingAsync(rig, probe, later, TimeSpan.FromMilliseconds(15));
        await Eventually.Until(() => rig.QueryAsync(db => db.Set<Effect>().CountAsync()), n => n >= 31, what: "every effect");
        await Task.Delay(300);

        Assert.Equal([[first.CustomerId], [.. later.Select(m => m.CustomerId)]], probe.Batches.ToArray());
        Assert.Equal(31, await rig.QueryAsync(db => db.Set<Effect>().CountAsync()));
        Assert.Equal(31, await rig.QueryAsync(db => db.Set<InboxMessage>().CountAsync(m => m.Consumer == nameof(BatchEffectConsumer))));
        Assert.Equal(2, await rig.QueryAsync(db => db.Set<InboxMessage>().Select(m => m.ProcessedAt).Distinct().CountAsync()));
    }

    [Fact]
    public async Task Messages_published_together_reach_an_idle_queue_as_one_batch_in_the_order_they_were_sent()
    {
        var probe = BatchProbe.Ungated();
        await using var rig = await StartAsync("inbox-queue-window", probe, window: TimeSpan.FromSeconds(2));

        var together = Enumerable.Range(0, 8).Select(_ => Registered()).ToList();
        foreach (var message in together)
        {
            await PublishAsync(rig, message);
        }

        await Eventually.Until(() => rig.QueryAsync(db => db.Set<Effect>().CountAsync()), n => n >= 8, what: "every effect");

        Assert.Equal([[.. together.Select(m => m.CustomerId)]], probe.Batches.ToArray());
    }

    [Fact]
    public void A_batch_is_put_in_the_order_its_messages_were_sent_once_each()
    {
        var t0 = new DateTime(2026, 11, 27, 1, 0, 0, DateTimeKind.Utc);
        InboxDelivery<string> Sent(int id, int ms, string what) => new(new Guid(id, 0, 0, new byte[8]), t0.AddMilliseconds(ms), what);
        var arrived = new[] { Sent(3, 20, "third"), Sent(1, 0, "first"), Sent(4, 20, "fourth"), Sent(1, 0, "first again"), Sent(2, 10, "second") };

        Assert.Equal(["first", "second", "third", "fourth"], InboxBatching.InOrder(arrived).Select(d => d.Message));
    }

    [Fact]
    public async Task A_message_that_fails_its_batch_fails_alone_and_the_others_are_applied_once()
    {
        var probe = new BatchProbe();
        await using var rig = await StartAsync("inbox-queue-poison", probe);

        var good = Enumerable.Range(0, 5).Select(_ => Registered()).ToList();
        var poison = Registered(BatchProbe.Poison);
        var first = await HoldFirstBatchWhilePublishingAsync(rig, probe, [.. good.Take(2).Append(poison).Concat(good.Skip(2))], TimeSpan.Zero);
        await Eventually.Until(() => rig.QueryAsync(db => db.Set<Effect>().CountAsync()), n => n >= 6, what: "the good messages' effects");
        await Eventually.Until(() => probe.PoisonAttempts >= 3, TimeSpan.FromSeconds(30),
            "the poison to fail in its batch, alone, and once retried");

        // The good messages were in the batch that failed; each was then applied on its own, once.
        Assert.Contains(probe.Batches, b => b.Length == 6 && b.Contains(poison.CustomerId));
        foreach (var message in good.Prepend(first))
        {
            Assert.Equal(1, await rig.EffectsOf(message.CustomerId));
        }

        Assert.Equal(0, await rig.EffectsOf(poison.CustomerId));
        Assert.False(await rig.QueryAsync(db => db.Set<InboxMessage>().AnyAsync(m => m.MessageId == poison.EventId)));
    }

    [Fact]
    public async Task The_inbox_queues_start_before_the_bus_and_so_stop_after_it()
    {
        var probe = BatchProbe.Ungated();
        await using var rig = await StartAsync("inbox-queue-order", probe);

        // Hosted services stop in the reverse order of their start: the bus must stop taking messages (and wait for
        // those handed to the queue) before the queue stops and cancels what is still waiting in it.
        var hosted = rig.Host.Services.GetServices<IHostedService>().Select(h => h.GetType()).ToList();
        var queue = hosted.IndexOf(typeof(InboxQueues));
        var bus = hosted.FindIndex(t => t.Name == "MassTransitHostedService");
        Assert.True(queue >= 0 && bus >= 0, string.Join(", ", hosted.Select(t => t.Name)));
        Assert.Contains(rig.Host.Services.GetServices<IInboxQueue>(), q => q is InboxQueue<BatchEffectConsumer, CustomerRegistered>);
        Assert.DoesNotContain(hosted, t => t.IsAssignableTo(typeof(IInboxQueue))); // run by InboxQueues, not on their own
        Assert.True(queue < bus, "the inbox queues start after the bus: " + string.Join(", ", hosted.Select(t => t.Name)));
    }

    [Theory]
    [InlineData("billing", typeof(Platform.Billing.Messaging.PaymentReceivedConsumer), typeof(PaymentReceived), "billing-payment-received")]
    [InlineData("billing", typeof(Platform.Billing.Messaging.CustomerRegisteredConsumer), typeof(CustomerRegistered), "billing-customer-registered")]
    [InlineData("payment", typeof(Platform.Payment.Exceptions.Messaging.PaymentAllocatedConsumer), typeof(PaymentAllocated), "payment-payment-allocated")]
    [InlineData("payment", typeof(Platform.Payment.Collections.Messaging.ReceivablesPaymentAllocatedConsumer), typeof(PaymentAllocated), "payment-receivables-payment-allocated")]
    [InlineData("payment", typeof(Platform.Payment.Checks.Messaging.RegisteredCustomersConsumer), typeof(CustomerRegistered), "payment-registered-customers")]
    [InlineData("customer", typeof(Platform.Customer.Engagement.Messaging.EngagementPaymentReceivedConsumer), typeof(PaymentReceived), "customer-engagement-payment-received")]
    [InlineData("customer", typeof(Platform.Customer.Engagement.Messaging.EngagementBalanceChangedConsumer), typeof(PrepaidBalanceChanged), "customer-engagement-balance-changed")]
    public void A_batch_consumers_queue_keeps_the_name_of_its_consumer(string service, Type consumer, Type message, string queue)
    {
        var formatter = new KebabCaseEndpointNameFormatter(service, false);
        var definition = (IConsumerDefinition)Activator.CreateInstance(typeof(InboxQueueConsumerDefinition<,>).MakeGenericType(consumer, message))!;

        Assert.Equal(queue, definition.GetEndpointName(formatter));
    }
}
