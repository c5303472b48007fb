using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using CustomerProgram = Platform.Customer.Program;

namespace Platform.Tests.Customer.Engagement;

/// <summary>
/// The customer service in-process on its own database and virtual host. Tests publish billing, payment and complaint
/// events on the same bus, as those services would; <paramref name="clock"/> replaces the service's time when given.
/// </summary>
public class EngagementHost(FakeTimeProvider? clock = null, bool scheduler = false) : IAsyncLifetime
{
    public ServiceHost<CustomerProgram> Service { get; private set; } = null!;

    public ConsumedCounter Consumed => Service.Consumed;

    public FakeTimeProvider? Clock => clock;

    public Customers.CustomersClient Customers => new(Service.Channel);

    public Grading.GradingClient Grading => new(Service.Channel);

    public FollowUps.FollowUpsClient FollowUps => new(Service.Channel);

    public Pipeline.PipelineClient Pipeline => new(Service.Channel);

    public Loyalty.LoyaltyClient Loyalty => new(Service.Channel);

    public Insight.InsightClient Insight => new(Service.Channel);

    public IBus Bus => Service.Services.GetRequiredService<IBus>();

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        Service = new ServiceHost<CustomerProgram>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:customerdb"] = await infra.NewDatabaseAsync("engagement"),
            ["ConnectionStrings:messaging"] = await infra.NewVirtualHostAsync("engagement"),
            ["ConnectionStrings:cache"] = infra.Redis,
            ["Engagement:Scheduler:Enabled"] = scheduler ? "true" : "false",
            ["Engagement:Tiers:HighAmount"] = "10000",
            ["Engagement:Tiers:HighPurchases"] = "2",
            ["Engagement:Tiers:MidAmount"] = "1000",
            ["Engagement:Tiers:MidPurchases"] = "3",
            ["Engagement:Lifecycle:DormantAfterDays"] = "30",
        });
        if (clock is not null)
        {
            Service.WithServices(s => s.AddSingleton<TimeProvider>(clock));
        }

        await Service.StartedAsync();
    }

    public async Task DisposeAsync() => await Service.DisposeAsync();

    /// <summary>Publishes an event as its producer's outbox relay would: the event id is the message id.</summary>
    public Task PublishAsync<T>(T message) where T : class, IIntegrationEvent =>
        Bus.Publish(message, ctx => ctx.MessageId = message.EventId);

    /// <summary>Publishes and waits until the service has consumed that message id <paramref name="times"/> times in all.</summary>
    public async Task DeliverAsync<T>(T message, int times = 1) where T : class, IIntegrationEvent
    {
        await PublishAsync(message);
        await Eventually.Until(() => Task.FromResult(Consumed.Of(message.EventId)), n => n >= times, what: $"{typeof(T).Name} {message.EventId} consumed {times}x");
    }

    public async Task<Contracts.Customer.V1.Customer> RegisterAsync(Guid? owner = null)
    {
        var request = new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Kind = CustomerKind.Organization,
            DisplayName = "Acme Training",
            Email = $"buyer.{Guid.NewGuid():N}@example.com",
            OwnerId = (owner ?? Guid.NewGuid()).ToString(),
        };
        return await Customers.RegisterCustomerAsync(request, Tokens.As(Roles.SalesRep));
    }

    public Task<T> QueryAsync<T>(Func<CustomerDb, Task<T>> query) => Service.QueryAsync(query);

    /// <summary>Events of a type the service queued in its outbox, as published.</summary>
    public Task<List<string>> OutboxAsync<T>() => QueryAsync(db => db.Set<OutboxMessage>().Where(m => m.MessageType == typeof(T).FullName)
        .OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync());
}

/// <summary>The shared host for tests on the real clock.</summary>
public sealed class EngagementServices : EngagementHost;
