using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Privacy;
using StackExchange.Redis;

namespace Platform.BuildingBlocks;

public static class PlatformServiceExtensions
{
    /// <summary>Connection string names, as the AppHost (and Aspire) inject them.</summary>
    public const string MessagingConnection = "messaging";
    public const string CacheConnection = "cache";

    /// <summary>
    /// What every service stands on: its own database (connection "{service}db", migrated in Development), the bus with
    /// the consumers given and the outbox relay, and the cache.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformBackbone<TDb>(this IHostApplicationBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator>? consumers = null)
        where TDb : DbContext =>
        builder.AddPlatformDatabase<TDb>(serviceName + "db").AddPlatformMessaging<TDb>(serviceName, consumers).AddPlatformCache();

    /// <summary>The service's own PostgreSQL database (EF Core, snake_case), its health check and the idempotent-request store.</summary>
    public static IHostApplicationBuilder AddPlatformDatabase<TDb>(this IHostApplicationBuilder builder, string connectionName)
        where TDb : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured");
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxSignalInterceptor>();
        builder.Services.AddDbContextPool<TDb>((sp, options) => options
            .UseNpgsql(PooledConnections.Tune(connectionString))
            .UseSnakeCaseNamingConvention()
            // An entity with several owned collections loaded by one query joins them all: a contract with 4 items, 2
            // discounts, 2 signatures and 12 installments comes back as 192 rows. Such a query must say AsSplitQuery (or
            // AsSingleQuery, where it is known to be small); one that says neither fails in the tests.
            .ConfigureWarnings(w => w.Throw(RelationalEventId.MultipleCollectionIncludeWarning))
            .AddInterceptors(sp.GetRequiredService<OutboxSignalInterceptor>()));
        builder.Services.AddScoped<IdempotentRequests<TDb>>();
        builder.AddPiiProtection();
        builder.Services.AddSingleton<DatabaseMigrator<TDb>>();
        builder.Services.AddSingleton<IDatabaseMigrator>(sp => sp.GetRequiredService<DatabaseMigrator<TDb>>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseMigrator<TDb>>());
        builder.Services.AddHealthChecks().AddNpgSql(PooledConnections.Tune(connectionString), name: connectionName, tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// MassTransit on RabbitMQ (connection "messaging"), the consumers given, retries then the error queue, and the
    /// outbox relay for <typeparamref name="TDb"/>. Queue names are prefixed with the service name.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformMessaging<TDb>(this IHostApplicationBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator>? consumers = null)
        where TDb : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(MessagingConnection)
            ?? throw new InvalidOperationException($"ConnectionStrings:{MessagingConnection} is not configured");
        builder.Services.AddHostedService<InboxQueues>(); // before the bus, so that it stops after it
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, false));

            // MassTransit 8.4+ reports the bus's configuration to its makers over HTTPS after start unless told not to:
            // a service must not call out of the cluster on its own (and where it cannot, the attempt logs an error).
            bus.DisableUsageTelemetry();
            consumers?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                rabbit.UseMessageRetry(r => r.Intervals(
                    TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)));
                rabbit.ConfigureEndpoints(context);
            });
        });
        // The host starts serving once the bus is connected and its endpoints are ready, not while it is still starting:
        // readiness never reports a bus that is merely starting as unhealthy (an error in the log on every start). The
        // health-check publisher (grpc.health.v1 Watch) checks on a timer from its own start, so it starts after the bus.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        foreach (var publisher in builder.Services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckPublisherHostedService").ToList())
        {
            builder.Services.Remove(publisher);
            builder.Services.Add(publisher);
        }

        builder.Services.AddOptions<OutboxOptions>().BindConfiguration("Outbox");
        builder.Services.AddSingleton<IOutboxTransport, BusOutboxTransport>();
        builder.Services.AddSingleton<OutboxRelay<TDb>>();
        builder.Services.AddHostedService<OutboxRelayService<TDb>>();
        builder.Services.AddOptions<MessageRetentionOptions>().BindConfiguration(MessageRetentionOptions.Section);
        builder.Services.AddHostedService<MessageRetention<TDb>>();
        return builder;
    }

    /// <summary>Redis (connection "cache"). Its health check reports Degraded, not Unhealthy: the service works without it, slower.</summary>
    public static IHostApplicationBuilder AddPlatformCache(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(CacheConnection)
            ?? throw new InvalidOperationException($"ConnectionStrings:{CacheConnection} is not configured");
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 1000;
        options.AsyncTimeout = 1000;
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(),
            name: CacheConnection, failureStatus: HealthStatus.Degraded, tags: ["ready"]);
        return builder;
    }

    /// <summary>PII protection with keys from section "Pii"; in Development, fixed local keys when none are configured.</summary>
    public static IHostApplicationBuilder AddPiiProtection(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(PiiProtector)))
        {
            return builder;
        }

        var section = builder.Configuration.GetSection(PiiOptions.Section);
        if (!section.GetSection(nameof(PiiOptions.Keys)).Exists() && builder.Environment.IsDevelopment())
        {
            builder.Services.AddSingleton(Options.Create(PiiProtector.DevelopmentKeys()));
        }
        else
        {
            builder.Services.AddOptions<PiiOptions>().Bind(section);
        }

        builder.Services.AddSingleton<PiiProtector>();
        return builder;
    }
}
