using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Events;
using Platform.Testing;
using PaymentProgram = Platform.Payment.Program;

namespace Platform.Tests.Payment;

/// <summary>
/// The payment service in-process on its own database and virtual host. Tests publish on its bus the events other
/// services would send (billing's invoices and allocations, approved refunds) and read what it publishes from the outbox.
/// </summary>
public sealed class PaymentHost : IAsyncLifetime
{
    public ServiceHost<PaymentProgram> Payment { get; private set; } = null!;

    /// <summary>Extra configuration a test class needs (set before <see cref="InitializeAsync"/>).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:paymentdb"] = await infra.NewDatabaseAsync("payment"),
            ["ConnectionStrings:messaging"] = await infra.NewVirtualHostAsync("payment"),
            ["ConnectionStrings:cache"] = infra.Redis,
            ["services:billing:grpc:0"] = "http://localhost",
            ["services:customer:grpc:0"] = "http://localhost",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        Payment = new ServiceHost<PaymentProgram>(settings);
        _ = Payment.Server;
        await Payment.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
    }

    /// <summary>Publishes an event with its EventId as the message id, as every producer's outbox relay does.</summary>
    public Task PublishAsync<T>(T @event) where T : class, IIntegrationEvent =>
        Payment.Services.GetRequiredService<IBus>().Publish(@event, c => c.MessageId = @event.EventId);

    public async Task DisposeAsync() => await Payment.DisposeAsync();
}
