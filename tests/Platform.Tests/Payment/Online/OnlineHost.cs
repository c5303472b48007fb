using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Events;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.Payment.Online.Providers.Simulator;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Customer.Profiles;
using PaymentProgram = Platform.Payment.Program;

namespace Platform.Tests.Payment.Online;

/// <summary>
/// The payment service in-process with the wallet and payout simulators on, a fake clock the tests move, captured
/// logs, and the simulator's notifications routed to the in-process server (as they would reach its HTTP port).
/// </summary>
public class OnlineHost : IAsyncLifetime
{
    public const string Secret = "test-simulator-secret-0123456789";

    // Whole seconds: PostgreSQL keeps microseconds, so times read back compare equal to the ones computed here.
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public LogCapture Logs { get; } = new();

    public ServiceHost<PaymentProgram> Payment { get; private set; } = null!;

    public PaymentIntents.PaymentIntentsClient Intents => new(Payment.Channel);

    public Platform.Contracts.Payment.V1.Reconciliation.ReconciliationClient Reconciliation => new(Payment.Channel);

    /// <summary>Extra configuration of a derived fixture.</summary>
    protected virtual IDictionary<string, string?> Extra => new Dictionary<string, string?>();

    /// <summary>Services a derived fixture adds or replaces.</summary>
    protected virtual void AddServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:paymentdb"] = await infra.NewDatabaseAsync("payonline"),
            ["ConnectionStrings:messaging"] = await infra.NewVirtualHostAsync("payonline"),
            ["ConnectionStrings:cache"] = infra.Redis,
            ["services:billing:grpc:0"] = "http://localhost",
            ["services:customer:grpc:0"] = "http://localhost",
            ["Payment:Online:Simulator:Enabled"] = "true",
            ["Payment:Online:Simulator:Secret"] = Secret,
            ["Payment:Online:Simulator:NotifyDelay"] = "00:00:00",
            ["Payment:Online:RecheckAfter"] = "00:02:00",
            ["Payment:Online:ExpireAfter"] = "00:30:00",
            ["Payment:Payouts:Simulator:Enabled"] = "true",
        };
        foreach (var (key, value) in Extra)
        {
            settings[key] = value;
        }

        Payment = new ServiceHost<PaymentProgram>(settings);
        Payment.WithServices(s =>
        {
            s.AddSingleton<TimeProvider>(Clock);
            s.AddSingleton<ILoggerProvider>(Logs);
            s.AddHttpClient(SimulatorWallet.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Payment.Server.CreateHandler());
            AddServices(s);
        });
        await Payment.StartedAsync();
    }

    public async Task DisposeAsync() => await Payment.DisposeAsync();

    public static string Id() => Guid.NewGuid().ToString();

    /// <summary>A finance clerk's intent for the customer to pay <paramref name="amount"/> CNY by wallet.</summary>
    public async Task<PaymentIntent> CreateIntentAsync(string customerId, decimal amount, WalletMethod method = WalletMethod.Alipay, string? requestId = null) =>
        await Intents.CreatePaymentIntentAsync(new CreatePaymentIntentRequest
        {
            RequestId = requestId ?? Id(),
            CustomerId = customerId,
            Amount = amount.ToMoney("CNY"),
            Method = method,
            Description = "prepaid deposit",
        }, Tokens.As(Roles.FinanceClerk));

    public Task<PaymentIntent> IntentAsync(string id) =>
        Intents.GetPaymentIntentAsync(new GetPaymentIntentRequest { PaymentIntentId = id }, Tokens.As(Roles.FinanceClerk)).ResponseAsync;

    /// <summary>Posts a payer's action to the simulator (<c>/providers/simulator/orders/{reference}/pay</c> and the like).</summary>
    public async Task<HttpStatusCode> PostAsync(string path) =>
        (await Payment.CreateClient().PostAsync(new Uri(path, UriKind.Relative), null)).StatusCode;

    /// <summary>Publishes an event with its EventId as the message id, as every producer's outbox relay does.</summary>
    public Task PublishAsync<T>(T @event, Guid? messageId = null) where T : class, IIntegrationEvent =>
        Payment.Services.GetRequiredService<IBus>().Publish(@event, c => c.MessageId = messageId ?? @event.EventId);

    /// <summary>The payloads of the events of one type in the outbox, oldest first.</summary>
    public Task<List<JsonElement>> OutboxAsync<T>() where T : IIntegrationEvent =>
        Payment.QueryAsync<PaymentDb, List<JsonElement>>(async db => (await db.Set<OutboxMessage>().Where(m => m.MessageType == typeof(T).FullName)
            .OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync()).Select(p => JsonDocument.Parse(p).RootElement.Clone()).ToList());

    /// <summary>Runs a scheduled job once, waiting while the host's own pass holds its lock.</summary>
    public async Task<int> RunAsync<TJob>() where TJob : Platform.BuildingBlocks.Scheduling.ScheduledJob<PaymentDb>
    {
        var job = Payment.Services.GetRequiredService<TJob>();
        return (await Eventually.Until(() => job.RunOnceAsync(CancellationToken.None), n => n is not null, what: typeof(TJob).Name + "'s lock"))!.Value;
    }
}
