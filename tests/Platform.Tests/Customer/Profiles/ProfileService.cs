using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using StackExchange.Redis;
using CustomerProgram = Platform.Customer.Program;

namespace Platform.Tests.Customer.Profiles;

/// <summary>
/// The customer service in-process on its own database, with every log line it writes (Debug and up) captured, so
/// tests can check that no PII reaches the logs.
/// </summary>
public sealed class ProfileService : IAsyncLifetime
{
    public ServiceHost<CustomerProgram> Host { get; private set; } = null!;

    public LogCapture Logs { get; } = new();

    public string Database { get; private set; } = "";

    public string Redis { get; private set; } = "";

    public Customers.CustomersClient Customers => new(Host.Channel);

    public CustomerContacts.CustomerContactsClient Contacts => new(Host.Channel);

    public CustomerConsents.CustomerConsentsClient Consents => new(Host.Channel);

    public CustomerBulk.CustomerBulkClient Bulk => new(Host.Channel);

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        Database = await infra.NewDatabaseAsync("profiles");
        Redis = infra.Redis;
        Host = Start(Database, Redis, await infra.NewVirtualHostAsync("profiles"), Logs);
        await Host.StartedAsync();
    }

    /// <summary>A customer service on the given database and cache, the re-encryption job off unless settings say otherwise.</summary>
    public static ServiceHost<CustomerProgram> Start(string database, string cache, string bus, LogCapture? logs = null,
        IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:customerdb"] = database,
            ["ConnectionStrings:messaging"] = bus,
            ["ConnectionStrings:cache"] = cache,
            ["Logging:LogLevel:Default"] = "Debug", // the log capture sees everything the service could leak PII into
            ["Logging:Console:LogLevel:Default"] = "Warning", // while the test run's output stays readable
            ["PiiRekeying:Enabled"] = "false",
            ["Import:BatchSize"] = "50",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = new ServiceHost<CustomerProgram>(settings);
        if (logs is not null)
        {
            host.WithServices(s => s.AddSingleton<ILoggerProvider>(logs));
        }

        return host;
    }

    private ConnectionMultiplexer? redis;

    public IDatabase Cache => (redis ??= ConnectionMultiplexer.Connect(Redis)).GetDatabase();

    public Task<T> QueryAsync<T>(Func<CustomerDb, Task<T>> query) => Host.QueryAsync(query);

    /// <summary>Registers a customer with a unique e-mail (and the phone given) and answers it as a pii_reader sees it.</summary>
    public async Task<Contracts.Customer.V1.Customer> RegisterAsync(string? name = null, string? phone = null, string? ownerId = null,
        CustomerKind kind = CustomerKind.Individual) =>
        await Customers.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Kind = kind,
            DisplayName = name ?? "Wang Fang",
            Email = $"wf.{Guid.NewGuid():N}@example.com",
            Phone = phone ?? "",
            OwnerId = ownerId ?? "",
        }, Tokens.As(Roles.SalesRep, Roles.PiiReader));

    public async Task DisposeAsync()
    {
        redis?.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>Every formatted log line and exception text, from every category, each starting with its level.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IEnumerable<string> Lines => lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception} {state}");
    }
}

[CollectionDefinition(Name)]
public sealed class ProfileCollection : ICollectionFixture<ProfileService>
{
    public const string Name = "customer profiles";
}
