using Grpc.Core;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Billing.V1;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using BillingProgram = Platform.Billing.Program;

namespace Platform.Tests.Billing.Ledger;

/// <summary>The billing service in-process on its own database and virtual host; events are published on its bus as payment would.</summary>
public sealed class BillingHost : IAsyncLifetime
{
    public ServiceHost<BillingProgram> Billing { get; private set; } = null!;

    public Contracts.Billing.V1.Ledger.LedgerClient Ledger => new(Billing.Channel);

    public PrepaidAccounts.PrepaidAccountsClient PrepaidAccounts => new(Billing.Channel);

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        Billing = new ServiceHost<BillingProgram>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:billingdb"] = await infra.NewDatabaseAsync("ledger"),
            ["ConnectionStrings:messaging"] = await infra.NewVirtualHostAsync("ledger"),
            ["ConnectionStrings:cache"] = infra.Redis,
            ["services:customer:grpc:0"] = "http://localhost",
            ["Billing:RiskReserveShare"] = "0.1",
            ["Billing:PrepaidValidityDays"] = "365",
        });
        await Billing.StartedAsync();
    }

    /// <summary>Publishes an event with its EventId as the message id, as every producer's outbox relay does.</summary>
    public Task PublishAsync<T>(T @event) where T : class, IIntegrationEvent =>
        Billing.Services.GetRequiredService<IBus>().Publish(@event, c => c.MessageId = @event.EventId);

    /// <summary>A new customer whose book holds <paramref name="amount"/> deposited through PaymentReceived, as payment sends it.</summary>
    public async Task<Guid> CustomerWithDepositAsync(decimal amount, DateTimeOffset? receivedAt = null)
    {
        var customerId = Guid.CreateVersion7();
        await PublishAsync(new PaymentReceived(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), customerId, amount, "CNY", "bank_transfer",
            receivedAt ?? DateTimeOffset.UtcNow));
        await Eventually.Until(() => AvailableAsync(customerId), a => a == amount, what: "the deposit to reach the ledger");
        return customerId;
    }

    /// <summary>Prepaid cash plus promotional credit as the Ledger API answers it; -1 while the customer has no account.</summary>
    public async Task<decimal> AvailableAsync(Guid customerId)
    {
        try
        {
            return (await Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, Tokens.As(Roles.Service)))
                .Available.ToDecimal();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return -1m;
        }
    }

    /// <summary>A single-leg transfer spending <paramref name="amount"/> of prepaid cash as revenue.</summary>
    public static TransferRequest Consume(Guid customerId, decimal amount, Guid? transferId = null) => new()
    {
        TransferId = (transferId ?? Guid.CreateVersion7()).ToString(),
        CustomerId = customerId.ToString(),
        Code = "prepaid.consumed",
        Legs = { new TransferLeg { From = LedgerAccount.PrepaidCash, To = LedgerAccount.Revenue, Amount = amount.ToMoney("CNY") } },
    };

    /// <summary>The postings through the service's own ledger store, in one transaction, as its use cases post them.</summary>
    public async Task<IReadOnlyList<Platform.Billing.Application.PostingResult>> PostAsync(params Platform.Billing.Application.LedgerPosting[] postings)
    {
        using var scope = Billing.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Platform.Billing.Application.LedgerStore>().ApplyManyAsync(postings, CancellationToken.None);
    }

    /// <summary>Asserts that CheckLedger finds the customer's book sound.</summary>
    public async Task AssertSoundAsync(Guid customerId)
    {
        var check = await Ledger.CheckLedgerAsync(new CheckLedgerRequest { CustomerId = customerId.ToString() }, Tokens.As(Roles.Service));
        Assert.True(check.Sound, string.Join("\n", check.Violations));
        Assert.Equal(1, check.CustomersChecked);
    }

    public async Task DisposeAsync() => await Billing.DisposeAsync();
}
