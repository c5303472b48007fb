using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.Testing;
using BillingProgram = Platform.Billing.Program;
using CustomerProgram = Platform.Customer.Program;

namespace Platform.Tests.Services;

/// <summary>The customer and billing services in-process, each on its own database, sharing a virtual host.</summary>
public sealed class CustomerAndBilling : IAsyncLifetime
{
    public ServiceHost<CustomerProgram> Customer { get; private set; } = null!;

    public ServiceHost<BillingProgram> Billing { get; private set; } = null!;

    public Customers.CustomersClient Customers => new(Customer.Channel);

    public PrepaidAccounts.PrepaidAccountsClient PrepaidAccounts => new(Billing.Channel);

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        var bus = await infra.NewVirtualHostAsync("slice");
        Customer = new ServiceHost<CustomerProgram>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:customerdb"] = await infra.NewDatabaseAsync("customer"),
            ["ConnectionStrings:messaging"] = bus,
            ["ConnectionStrings:cache"] = infra.Redis,
        });
        Billing = new ServiceHost<BillingProgram>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:billingdb"] = await infra.NewDatabaseAsync("billing"),
            ["ConnectionStrings:messaging"] = bus,
            ["ConnectionStrings:cache"] = infra.Redis,
            ["services:customer:grpc:0"] = "http://localhost",
        });
        // Billing reaches the in-process customer service through its real client registration (discovery, identity, deadline).
        Billing.WithServices(s => s.AddHttpClient(nameof(Contracts.Customer.V1.Customers.CustomersClient))
            .ConfigurePrimaryHttpMessageHandler(() => Customer.Server.CreateHandler()));
        await Customer.StartedAsync();
        await Billing.StartedAsync();
    }

    public async Task DisposeAsync()
    {
        await Billing.DisposeAsync();
        await Customer.DisposeAsync();
    }
}
