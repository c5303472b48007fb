using System.Collections.Concurrent;
using Grpc.Core;
using Npgsql;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Payment.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Xunit.Abstractions;

namespace Platform.Tests.Scenarios;

/// <summary>
/// Money is never lost or counted twice across a crash and a broker outage: 10,000 payments are recorded through the
/// payment service's API while the billing service is killed (SIGKILL, restarted by the AppHost's supervision) and
/// RabbitMQ is restarted. Callers retry a failed call with the same request id, as a client should. Afterwards every
/// customer's prepaid balance in billing's ledger equals what was recorded for them, to the cent, and every payment
/// was deposited exactly once.
/// </summary>
[Collection(nameof(WholeSystemCollection))]
public sealed class PaymentReliabilityTests(WholeSystem system, ITestOutputHelper output) : IClassFixture<WholeSystem>
{
    private const int Payments = 10_000;

    /// <summary>How long the recording may take to reach each of the points where the test breaks something.</summary>
    private static readonly TimeSpan Recording = TimeSpan.FromMinutes(5);
    private const int Callers = 16;
    private const int CustomerCount = 40;

    [Fact]
    public async Task Ten_thousand_payments_through_a_billing_crash_and_a_broker_restart_are_deposited_exactly_once()
    {
        var payments = new Platform.Contracts.Payment.V1.Payments.PaymentsClient(system.Channel("payment"));
        var ledger = new Ledger.LedgerClient(system.Channel("billing"));
        // Payment refuses a payer the customer service does not know: the customers are registered first.
        var registry = new Platform.Contracts.Customer.V1.Customers.CustomersClient(system.Channel("customer"));
        var customers = new Guid[CustomerCount];
        for (var i = 0; i < CustomerCount; i++)
        {
            var registered = await registry.RegisterCustomerAsync(new Platform.Contracts.Customer.V1.RegisterCustomerRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Kind = Platform.Contracts.Customer.V1.CustomerKind.Organization,
                DisplayName = $"Reliability payer {i}",
                Email = $"{Guid.NewGuid():N}@reliability.example",
            }, system.As(Roles.SalesRep));
            customers[i] = Guid.Parse(registered.CustomerId);
        }

        var recorded = new ConcurrentDictionary<string, (Guid Customer, decimal Amount)>();
        var retries = 0;
        var next = -1;
        var started = DateTimeOffset.UtcNow;

        async Task CallerAsync(int caller)
        {
            var random = new Random(caller);
            int n;
            while ((n = Interlocked.Increment(ref next)) < Payments)
            {
                var customer = customers[n % CustomerCount];
                var amount = random.Next(100, 100_000) / 100m;
                var request = new RecordPaymentRequest
                {
                    RequestId = Guid.NewGuid().ToString(),
                    CustomerId = customer.ToString(),
                    Method = PaymentMethod.Cash,
                    Amount = amount.ToMoney("CNY"),
                    Reference = $"reliability-{n}",
                };
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var payment = await payments.RecordPaymentAsync(request, system.AsUser("cashier-" + caller, Roles.FinanceClerk));
                        recorded[payment.PaymentId] = (customer, amount);
                        break;
                    }
                    catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal && attempt < 20)
                    {
                        // The same request id again: the payment service answers the first result, never a second payment.
                        Interlocked.Increment(ref retries);
                        await Task.Delay(200 * attempt);
                    }
                }
            }
        }

        async Task FaultsAsync()
        {
            await Eventually.Until(() => recorded.Count >= Payments / 4, Recording, "a quarter of the payments recorded");
            output.WriteLine($"{recorded.Count} recorded: killing billing");
            await system.App.KillAsync("billing");
            await Eventually.Until(() => recorded.Count >= Payments / 2, Recording, "half of the payments recorded");
            output.WriteLine($"{recorded.Count} recorded: restarting RabbitMQ");
            await system.App.RestartAsync("messaging");
            await Eventually.Until(() => recorded.Count >= Payments * 3 / 4, Recording, "three quarters of the payments recorded");
            output.WriteLine($"{recorded.Count} recorded: killing billing again");
            await system.App.KillAsync("billing");
        }

        await Task.WhenAll(Enumerable.Range(0, Callers).Select(CallerAsync).Append(FaultsAsync()));
        output.WriteLine($"{recorded.Count} payments recorded in {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s with {retries} retried calls");
        Assert.Equal(Payments, recorded.Count); // one payment per request, retries included

        var expected = recorded.Values.GroupBy(r => r.Customer).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount));
        await system.App.WaitForHealthyAsync("billing");
        await Eventually.Until(async () =>
        {
            var total = 0m;
            foreach (var customer in customers)
            {
                total += await AvailableAsync(ledger, customer);
            }

            return total;
        }, total => total >= expected.Values.Sum(), timeout: TimeSpan.FromMinutes(5), what: "every recorded payment to reach billing's ledger");

        foreach (var customer in customers)
        {
            Assert.Equal(expected[customer], await AvailableAsync(ledger, customer));
            var check = await ledger.CheckLedgerAsync(new CheckLedgerRequest { CustomerId = customer.ToString() }, system.As(Roles.FinanceApprover));
            Assert.Empty(check.Violations);
        }

        // Exactly one deposit per recorded payment, whatever was redelivered.
        await using var billingDb = new NpgsqlConnection(system.App.GetConnectionString("billingdb"));
        await billingDb.OpenAsync();
        await using var deposits = new NpgsqlCommand("SELECT count(*), count(DISTINCT reference) FROM ledger_transfers WHERE code = 'prepaid.deposit'", billingDb);
        await using var reader = await deposits.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((Payments, Payments), (reader.GetInt64(0), reader.GetInt64(1)));
        output.WriteLine($"all deposited {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s after the first payment");
    }

    private async Task<decimal> AvailableAsync(Ledger.LedgerClient ledger, Guid customer)
    {
        try
        {
            return (await ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customer.ToString() }, system.As(Roles.Service))).Available.ToDecimal();
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Unavailable)
        {
            return 0m;
        }
    }
}
