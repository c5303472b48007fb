using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.Payment.Collections.Jobs;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Billing.Commerce;
using PaymentProgram = Platform.Payment.Program;
using Proto = Platform.Contracts.Payment.V1;

namespace Platform.Tests.Payment.Collections;

/// <summary>
/// Payment and a real billing in-process on one fake clock. Payment reaches billing's Entitlements API and billing
/// reaches payment's Credit API through their real client registrations (discovery, service identity, deadline).
/// Tests publish billing's invoice events on payment's bus and drive the collections job pass by pass.
/// </summary>
public sealed class CollectionsHost : IAsyncLifetime
{
    public CommerceHost Commerce { get; } = new();

    public FakeTimeProvider Clock => Commerce.Clock;

    public ServiceHost<PaymentProgram> Payment { get; private set; } = null!;

    public Proto.Collections.CollectionsClient Collections => new(Payment.Channel);

    public Proto.Credit.CreditClient Credit => new(Payment.Channel);

    /// <summary>Extra payment configuration, set before InitializeAsync (it wins over the defaults).</summary>
    public Dictionary<string, string?> PaymentSettings { get; } = [];

    /// <summary>Extra payment service registrations, added before InitializeAsync.</summary>
    public List<Action<IServiceCollection>> PaymentServices { get; } = [];

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:paymentdb"] = await infra.NewDatabaseAsync("collections"),
            ["ConnectionStrings:messaging"] = PaymentSettings.GetValueOrDefault("ConnectionStrings:messaging") ?? await infra.NewVirtualHostAsync("collections"),
            ["ConnectionStrings:cache"] = infra.Redis,
            ["services:billing:grpc:0"] = "http://localhost",
            ["services:customer:grpc:0"] = "http://localhost",
            ["Payment:Collections:JobEnabled"] = "false",
        };
        foreach (var (key, value) in PaymentSettings)
        {
            settings[key] = value;
        }

        Payment = new ServiceHost<PaymentProgram>(settings);
        Payment.WithServices(s =>
        {
            PaymentServices.ForEach(add => add(s));
            s.AddSingleton<TimeProvider>(Clock);
            s.AddSingleton(WallClockIdentity);
            s.AddHttpClient(nameof(Entitlements.EntitlementsClient)).ConfigurePrimaryHttpMessageHandler(() => Commerce.Billing.Server.CreateHandler());
        });

        // Billing must get its answer from payment here: an unreachable payment service would fail the signature.
        Commerce.Settings["Billing:Commerce:CreditCheck:WhenUnavailable"] = "Refuse";
        // A shared, busy test machine: a cold first call may take longer than production's 3 s.
        Commerce.Settings["Billing:Commerce:CreditCheck:Timeout"] = "00:00:20";
        Commerce.Services.Add(s =>
        {
            s.AddSingleton(WallClockIdentity);
            s.AddHttpClient(nameof(Proto.Credit.CreditClient)).ConfigurePrimaryHttpMessageHandler(() => Payment.Server.CreateHandler());
        });
        await Commerce.InitializeAsync();
        await Payment.StartedAsync();
    }

    /// <summary>
    /// The services' own tokens are minted on the wall clock: the receiving service checks them against real time, and
    /// the tests move the business clock months ahead.
    /// </summary>
    private static ServiceIdentity WallClockIdentity(IServiceProvider sp) =>
        new(sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetRequiredService<IHostEnvironment>(), TimeProvider.System);

    public async Task DisposeAsync()
    {
        await Payment.DisposeAsync();
        await Commerce.DisposeAsync();
    }

    /// <summary>Publishes an event with its EventId as the message id, as billing's outbox relay does.</summary>
    public Task PublishAsync<T>(T @event) where T : class, IIntegrationEvent =>
        Payment.Services.GetRequiredService<IBus>().Publish(@event, c => c.MessageId = @event.EventId);

    /// <summary>Moves the clock to <paramref name="at"/> and runs one pass of the collections job.</summary>
    public async Task RunJobAsync(DateTimeOffset at)
    {
        Clock.SetUtcNow(at);
        Assert.NotNull(await Payment.Services.GetRequiredService<CollectionsJob>().RunOnceAsync(CancellationToken.None));
    }

    /// <summary>The collections events payment queued for <paramref name="caseId"/>, in order, as JSON.</summary>
    public Task<List<JsonElement>> EventsAsync(string eventName, string caseId) =>
        Payment.QueryAsync<PaymentDb, List<JsonElement>>(async db => (await db.Set<OutboxMessage>()
                .Where(m => m.MessageType == "Platform.Contracts.Events." + eventName).OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync())
            .Select(p => JsonDocument.Parse(p).RootElement)
            .Where(e => e.GetProperty("caseId").GetString() == caseId).ToList());

    public async Task<Proto.CollectionCase> CaseOfAsync(Guid customerId, Guid invoiceId)
    {
        var cases = await Eventually.Until(
            async () => (await Collections.ListCasesAsync(new Proto.ListCasesRequest { CustomerId = customerId.ToString() }, Tokens.As(Roles.FinanceClerk))).Cases,
            c => c.Any(x => x.InvoiceId == invoiceId.ToString()), what: "the collections case to open");
        return cases.Single(x => x.InvoiceId == invoiceId.ToString());
    }

    public async Task<Proto.CollectionCase> GetCaseAsync(string caseId) =>
        await Collections.GetCaseAsync(new Proto.GetCaseRequest { CaseId = caseId }, Tokens.As(Roles.FinanceClerk));

    public async Task<EntitlementState> EntitlementAsync(string contractId) =>
        (await Commerce.Entitlements.GetEntitlementAsync(new GetEntitlementRequest { ContractId = contractId }, Tokens.As(Roles.FinanceClerk))).State;

    /// <summary>A signed prepaid contract of <paramref name="customerId"/> in billing.</summary>
    public async Task<string> SignedContractAsync(string customerId)
    {
        var (setup, _) = await Commerce.NewProductAsync();
        return (await Commerce.SignedContractAsync(customerId, CommerceHost.Terms(Clock.GetUtcNow()), 12, (setup, 1))).ContractId;
    }

    /// <summary>Billing's events for a new invoice of <paramref name="amount"/> due at <paramref name="due"/>, issued a month before.</summary>
    /// <summary>Adds <paramref name="count"/> bounced cheques of <paramref name="amount"/> for the customer, received on the days before <paramref name="now"/>.</summary>
    public static Task<int> BouncedChequesAsync(PaymentDb db, Guid customerId, int count, decimal amount, DateTimeOffset now)
    {
        for (var i = 0; i < count; i++)
        {
            db.Payments.Add(new Platform.Payment.Domain.Payment
            {
                Id = Guid.CreateVersion7(),
                CustomerId = customerId,
                Method = Platform.Payment.Domain.PaymentMethod.Cheque,
                State = Platform.Payment.Domain.PaymentState.Bounced,
                Amount = amount,
                Currency = "CNY",
                Reference = "CHQ-" + Guid.NewGuid().ToString("N")[..8],
                ReceivedAt = now.AddDays(-i - 1),
                CreatedAt = now,
                UpdatedAt = now,
            });
        }

        return db.SaveChangesAsync();
    }

    public static InvoiceIssued Issued(Guid invoiceId, Guid customerId, Guid? contractId, decimal amount, DateTimeOffset due) =>
        new(Guid.CreateVersion7(), due.AddDays(-30), invoiceId, "INV-" + invoiceId.ToString("N")[..8], customerId, contractId, amount, "CNY", due);

    public static InvoiceOverdue Overdue(InvoiceIssued issued, DateTimeOffset at) =>
        new(Guid.CreateVersion7(), at, issued.InvoiceId, issued.InvoiceNumber, issued.CustomerId, issued.ContractId, issued.Amount, "CNY", issued.DueDate,
            (int)(at - issued.DueDate).TotalDays, 0);

    public static PaymentAllocated Allocated(Guid customerId, Guid invoiceId, decimal amount, decimal remaining, DateTimeOffset at) =>
        new(Guid.CreateVersion7(), at, Guid.CreateVersion7(), customerId, amount, "CNY", [new InvoiceAllocation(invoiceId, amount, remaining)], 0m, true,
            "RCP-" + Guid.NewGuid().ToString("N")[..8]);
}
