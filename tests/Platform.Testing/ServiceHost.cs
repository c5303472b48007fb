using Grpc.Net.Client;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.BuildingBlocks.Messaging;

namespace Platform.Testing;

/// <summary>
/// One service hosted in-process (WebApplicationFactory) against the run's real PostgreSQL, RabbitMQ and Redis, in
/// Development (it migrates its database at start), with a ready gRPC channel.
/// </summary>
public class ServiceHost<TProgram>(IDictionary<string, string?> settings) : WebApplicationFactory<TProgram> where TProgram : class
{
    private readonly List<Action<IServiceCollection>> testServices = [];
    private GrpcChannel? channel;

    /// <summary>How often the service's consumers consumed each message id, counted from <see cref="StartedAsync"/> on.</summary>
    public ConsumedCounter Consumed { get; } = new();

    public GrpcChannel Channel => channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
        DisposeHttpClient = true,
    });

    /// <summary>
    /// Starts the host and waits until its bus is connected with every receive endpoint ready. A message published
    /// before the service's queues are bound goes nowhere, and on a loaded machine binding them takes seconds.
    /// </summary>
    public async Task StartedAsync()
    {
        _ = Server;
        if (Services.GetService<IBusControl>() is { } bus)
        {
            bus.ConnectConsumeObserver(Consumed);
            var status = await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(90));
            if (status != BusHealthStatus.Healthy)
            {
                throw new TimeoutException($"The bus of {typeof(TProgram).Assembly.GetName().Name} is not ready: {bus.CheckHealth().Description}");
            }
        }
    }

    /// <summary>Replaces services before the host starts (for example, routes a gRPC client to another in-process host).</summary>
    public ServiceHost<TProgram> WithServices(Action<IServiceCollection> configure)
    {
        testServices.Add(configure);
        return this;
    }

    /// <summary>A fresh scope's DbContext, to check what the service stored.</summary>
    public TDb NewDb<TDb>(out IServiceScope scope) where TDb : DbContext
    {
        scope = Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<TDb>();
    }

    public async Task<T> QueryAsync<TDb, T>(Func<TDb, Task<T>> query) where TDb : DbContext
    {
        using var scope = Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<TDb>());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Auth:SigningKey", Tokens.SigningKey);
        builder.UseSetting("Auth:Issuer", Tokens.Options.Issuer);
        builder.UseSetting("Auth:Audience", Tokens.Options.Audience);
        builder.UseSetting("Outbox:PollInterval", "00:00:00.200");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            // Many hosts run on a fake clock that jumps days ahead, and message retention would then delete the outbox
            // rows the tests read as the record of what the service announced. Its own test drives it directly.
            foreach (var retention in services.Where(d => d.ServiceType == typeof(IHostedService)
                && d.ImplementationType is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(MessageRetention<>)).ToList())
            {
                services.Remove(retention);
            }

            foreach (var configure in testServices)
            {
                configure(services);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        channel?.Dispose();
        base.Dispose(disposing);
    }
}
