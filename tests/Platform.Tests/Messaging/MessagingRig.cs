using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.BuildingBlocks;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Testing;

namespace Platform.Tests.Messaging;

/// <summary>A state change the rig announces; the consumer's effect is one row per application.</summary>
public sealed class Thing
{
    public Guid Id { get; init; }
}

public sealed class Effect
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }
}

public sealed class RigDb(DbContextOptions<RigDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Thing>().ToTable("things");
        modelBuilder.Entity<Effect>().ToTable("effects");
        modelBuilder.AddPlatformTables();
    }
}

/// <summary>Applies CustomerRegistered through the inbox: one Effect row each time it is applied.</summary>
public sealed class EffectConsumer(RigDb db, TimeProvider clock) : InboxConsumer<CustomerRegistered, RigDb>(db, clock)
{
    protected override Task ApplyAsync(CustomerRegistered message, CancellationToken ct)
    {
        Db.Add(new Effect { Id = Guid.CreateVersion7(), CustomerId = message.CustomerId });
        return Task.CompletedTask;
    }
}

/// <summary>
/// A host wired exactly as a service is (AddPlatformDatabase + AddPlatformMessaging), on its own database and
/// virtual host of the run's real PostgreSQL and RabbitMQ.
/// </summary>
public sealed class MessagingRig : IAsyncDisposable
{
    private bool stopped;

    private MessagingRig(IHost host)
    {
        Host = host;
    }

    public IHost Host { get; }

    public ConsumedCounter Consumed { get; } = new();

    public TimeProvider Clock => Host.Services.GetRequiredService<TimeProvider>();

    /// <param name="consumers">The rig's consumers: <see cref="EffectConsumer"/> unless given.</param>
    public static async Task<MessagingRig> StartAsync(string database, string messaging, bool runRelay,
        Action<IBusRegistrationConfigurator>? consumers = null, Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:rigdb"] = database,
            ["ConnectionStrings:messaging"] = messaging,
            ["Outbox:PollInterval"] = "00:00:00.200",
            ["Outbox:PublishTimeout"] = "00:00:03",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPlatformDatabase<RigDb>("rigdb");
        builder.AddPlatformMessaging<RigDb>("rig-" + Guid.NewGuid().ToString("N")[..8], consumers ?? (bus => bus.AddConsumer<EffectConsumer>()));
        services?.Invoke(builder.Services);
        // Message retention runs a pass at start on the real clock; its test drives an instance of its own on a fake one.
        builder.Services.Remove(builder.Services.Single(d => d.ImplementationType == typeof(MessageRetention<RigDb>)));
        if (!runRelay)
        {
            var relay = builder.Services.Single(d => d.ImplementationType == typeof(OutboxRelayService<RigDb>));
            builder.Services.Remove(relay);
        }

        var rig = new MessagingRig(builder.Build());
        await using (var scope = rig.Host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RigDb>().Database.EnsureCreatedAsync();
        }

        rig.Host.Services.GetRequiredService<IBus>().ConnectConsumeObserver(rig.Consumed);
        await rig.Host.StartAsync();
        await rig.Host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return rig;
    }

    /// <summary>Commits a state change and its event in one transaction, as a service does.</summary>
    public async Task<CustomerRegistered> ChangeAndAnnounceAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RigDb>();
        var thing = new Thing { Id = Guid.CreateVersion7() };
        var @event = new CustomerRegistered(Guid.CreateVersion7(), Clock.GetUtcNow(), thing.Id, "individual", null);
        db.Add(thing);
        db.Enqueue(@event, Clock);
        await db.SaveChangesAsync();
        return @event;
    }

    public async Task<T> QueryAsync<T>(Func<RigDb, Task<T>> query)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<RigDb>());
    }

    public Task<int> EffectsOf(Guid customerId) => QueryAsync(db => db.Set<Effect>().CountAsync(e => e.CustomerId == customerId));

    public Task<OutboxMessage> OutboxRow(Guid eventId) => QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == eventId));

    public OutboxRelay<RigDb> Relay(IOutboxTransport transport) =>
        ActivatorUtilities.CreateInstance<OutboxRelay<RigDb>>(Host.Services, transport);

    public IOutboxTransport BusTransport => Host.Services.GetRequiredService<IOutboxTransport>();

    /// <summary>Stops the host as a service is stopped; its database stays readable until the rig is disposed.</summary>
    public async Task StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await Host.StopAsync(stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
    }
}
