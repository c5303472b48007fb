using MassTransit;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using BillingProgram = Platform.Billing.Program;

namespace Platform.Tests.Billing.Commerce;

/// <summary>The billing service in-process on its own database, with a fake clock the tests move.</summary>
public sealed class CommerceHost : IAsyncLifetime
{
    // Whole seconds: PostgreSQL keeps microseconds, so times read back compare equal to the ones computed here.
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public ServiceHost<BillingProgram> Billing { get; private set; } = null!;

    public Catalog.CatalogClient Catalog => new(Billing.Channel);

    public Quotes.QuotesClient Quotes => new(Billing.Channel);

    public Platform.Contracts.Billing.V1.Contracts.ContractsClient Contracts => new(Billing.Channel);

    public Entitlements.EntitlementsClient Entitlements => new(Billing.Channel);

    public Invoices.InvoicesClient Invoices => new(Billing.Channel);

    /// <summary>Extra configuration (set before <see cref="InitializeAsync"/>), e.g. the credit check's settings.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>Service replacements (set before <see cref="InitializeAsync"/>), e.g. routing the payment client in-process.</summary>
    public List<Action<IServiceCollection>> Services { get; } = [];

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:billingdb"] = await infra.NewDatabaseAsync("commerce"),
            ["ConnectionStrings:messaging"] = await infra.NewVirtualHostAsync("commerce"),
            ["ConnectionStrings:cache"] = infra.Redis,
            ["services:customer:grpc:0"] = "http://localhost",
            ["Billing:Commerce:InvoiceScanInterval"] = "1.00:00:00",
            // The contract schedule runs when a test runs it (and at start), not each time a test moves the clock a few
            // minutes (a timer's period is at most 49 days).
            ["Billing:Commerce:ScheduleInterval"] = "40.00:00:00",
            // Prepaid contracts are charged only when a test runs the charging job (the fake clock would otherwise wake it).
            ["Billing:Consumption:Enabled"] = "false",
            // No payment service here: the credit check finds it unreachable and signs (WhenUnavailable = Allow).
            ["services:payment:grpc:0"] = "http://localhost",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        Billing = new ServiceHost<BillingProgram>(settings);
        Billing.WithServices(s => s.AddSingleton<TimeProvider>(Clock));
        foreach (var configure in Services)
        {
            Billing.WithServices(configure);
        }

        await Billing.StartedAsync();
    }

    public async Task DisposeAsync() => await Billing.DisposeAsync();

    public Platform.Contracts.Billing.V1.Ledger.LedgerClient Ledger => new(Billing.Channel);

    /// <summary>Publishes an event with its EventId as the message id, as every producer's outbox relay does.</summary>
    public Task PublishAsync<T>(T @event) where T : class, Platform.Contracts.Events.IIntegrationEvent =>
        Billing.Services.GetRequiredService<IBus>().Publish(@event, c => c.MessageId = @event.EventId);

    public static string Id() => Guid.NewGuid().ToString();

    /// <summary>A price change of one fee item, effective at <paramref name="effective"/>.</summary>
    public static SchedulePriceChangeRequest PriceChange(string code, decimal price, DateTimeOffset effective) => new()
    {
        RequestId = Id(),
        EffectiveTime = Timestamp.FromDateTimeOffset(effective),
        Entries = { new PriceEntry { FeeItemCode = code, UnitPrice = Cny(price) } },
    };

    public static Google.Type.Money Cny(decimal amount) => amount.ToMoney("CNY");

    /// <summary>A product with a one-time setup fee (1000) and a monthly seat (100), priced at once; answers the codes.</summary>
    public async Task<(string Setup, string Seat)> NewProductAsync(decimal seatPrice = 100m)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var product = new CreateProductRequest { RequestId = Id(), Code = "crm-" + tag, Name = "CRM " + tag };
        product.FeeItems.Add(new FeeItem { Code = $"crm-{tag}.setup", Name = "Initial setup", Kind = FeeKind.OneTime });
        product.FeeItems.Add(new FeeItem { Code = $"crm-{tag}.seat", Name = "Seat per month", Kind = FeeKind.RecurringMonthly });
        await Catalog.CreateProductAsync(product, Tokens.As(Roles.Administrator));
        var prices = new SchedulePriceChangeRequest { RequestId = Id(), EffectiveTime = Timestamp.FromDateTimeOffset(Clock.GetUtcNow()) };
        prices.Entries.Add(new PriceEntry { FeeItemCode = $"crm-{tag}.setup", UnitPrice = Cny(1000m) });
        prices.Entries.Add(new PriceEntry { FeeItemCode = $"crm-{tag}.seat", UnitPrice = Cny(seatPrice) });
        await Catalog.SchedulePriceChangeAsync(prices, Tokens.As(Roles.Administrator));
        return ($"crm-{tag}.setup", $"crm-{tag}.seat");
    }

    public static ContractTerms Terms(DateTimeOffset start, PaymentMode mode = PaymentMode.Prepaid, bool autoRenew = true, bool followsList = false) => new()
    {
        StartTime = Timestamp.FromDateTimeOffset(start),
        Payment = new PaymentTerms { Mode = mode },
        RefundPolicy = new RefundPolicy { Basis = RefundBasis.Consumption, HandlingFeeBasisPoints = 500 },
        PrepaidValidityMonths = 12,
        AutoRenew = autoRenew,
        PriceFollowsList = followsList,
        LateTerms = new LateTerms { GraceDays = 10, PenaltyBasisPoints = 100 },
    };

    public async Task<Quote> QuoteAsync(string customerId, int termMonths, params (string Code, int Quantity)[] items)
    {
        var request = new CreateQuoteRequest { RequestId = Id(), CustomerId = customerId, TermMonths = termMonths };
        request.Items.AddRange(items.Select(i => new ItemRequest { FeeItemCode = i.Code, Quantity = i.Quantity }));
        return await Quotes.CreateQuoteAsync(request, Tokens.As(Roles.SalesRep));
    }

    public async Task<Contract> SignBothAsync(string contractId)
    {
        await Contracts.SignContractAsync(new SignContractRequest { RequestId = Id(), ContractId = contractId, Party = SignatureParty.Customer, SignerName = "Wang Fang" },
            Tokens.As(Roles.SalesRep));
        return await Contracts.SignContractAsync(new SignContractRequest { RequestId = Id(), ContractId = contractId, Party = SignatureParty.Company, SignerName = "Zhao Lei" },
            Tokens.As(Roles.SalesManager));
    }

    /// <summary>A signed contract for a new quote of <paramref name="items"/> with <paramref name="terms"/>.</summary>
    public async Task<Contract> SignedContractAsync(string customerId, ContractTerms terms, int termMonths, params (string Code, int Quantity)[] items)
    {
        var quote = await QuoteAsync(customerId, termMonths, items);
        var draft = await Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = terms }, Tokens.As(Roles.SalesRep));
        return await SignBothAsync(draft.ContractId);
    }

    /// <summary>Outbox rows of an event type, as JSON payloads.</summary>
    public Task<List<string>> OutboxAsync(string eventName) =>
        Billing.QueryAsync<BillingDb, List<string>>(db => db.Set<OutboxMessage>().Where(m => m.MessageType == "Platform.Contracts.Events." + eventName)
            .OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync());

    /// <summary>Row counts of the commerce tables, to show a refused request stored nothing.</summary>
    public Task<string> CountsAsync() => Billing.QueryAsync<BillingDb, string>(async db =>
        string.Join(",", await db.Set<Platform.Billing.Commerce.Domain.Contract>().CountAsync(), await db.Set<Platform.Billing.Commerce.Domain.Quote>().CountAsync(),
            await db.Set<Platform.Billing.Commerce.Domain.PriceList>().CountAsync(), await db.Set<Platform.Billing.Commerce.Domain.Invoice>().CountAsync(),
            await db.Set<Platform.Billing.Commerce.Domain.Amendment>().CountAsync(), await db.Set<OutboxMessage>().CountAsync(),
            await db.Set<Platform.Billing.Commerce.Domain.Invoice>().CountAsync(i => i.Number != null)));
}
