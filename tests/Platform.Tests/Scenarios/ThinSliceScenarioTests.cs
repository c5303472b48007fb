using System.Text.Json;
using Npgsql;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Scenarios;

/// <summary>Scenario tests run alone, after the parallel ones: each starts the whole platform.</summary>
[CollectionDefinition(nameof(WholeSystemCollection), DisableParallelization = true)]
public sealed class WholeSystemCollection;

/// <summary>
/// The whole platform started by the AppHost's orchestration: every service a real process, in Production as a
/// deployment runs it (the other scenario classes run it in Development, as <c>./run.sh</c> does).
/// </summary>
[Collection(nameof(WholeSystemCollection))]
public sealed class ThinSliceScenarioTests(ProductionSystem system) : IClassFixture<ProductionSystem>
{
    [Fact]
    public async Task Sales_registers_a_customer_and_finance_sees_an_open_prepaid_account_with_zero_balance()
    {
        var accounts = new PrepaidAccounts.PrepaidAccountsClient(system.Channel("billing"));

        var customer = await RegisterAsync(CustomerKind.Organization, "Hangzhou Sunrise Education Ltd.", "finance@sunrise.example.cn");

        // Billing answers from its own account once it applied CustomerRegistered; before that it asks the
        // customer service (through service discovery) and answers PENDING.
        var first = await accounts.GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customer.CustomerId }, system.As(Roles.FinanceClerk));
        Assert.Contains(first.State, new[] { AccountState.Pending, AccountState.Open });

        var balance = await Eventually.Until(
            async () => await accounts.GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customer.CustomerId }, system.As(Roles.FinanceClerk)),
            b => b.State == AccountState.Open, what: "billing to open the account");
        Assert.Equal("CNY", balance.Available.CurrencyCode);
        Assert.Equal(0, balance.Available.Units);
    }

    [Fact]
    public async Task One_trace_runs_from_the_register_call_through_billing_and_reaches_the_dashboard()
    {
        var customers = new Customers.CustomersClient(system.Channel("customer"));
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
        var call = system.As(Roles.SalesRep);
        call.Headers!.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-01");

        await customers.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Kind = CustomerKind.Individual,
            DisplayName = "Wang Fang",
            Phone = "+8613700137000",
        }, call);

        // Each service exports in its own batches: wait until all three parts of the trace have arrived.
        static bool Complete(List<Platform.Dashboard.SpanRecord> trace) =>
            trace.Any(s => s.Service == "customer" && s.Kind.Contains("Server", StringComparison.OrdinalIgnoreCase)) &&
            trace.Any(s => s.Service == "customer" && s.Name.StartsWith("outbox publish", StringComparison.Ordinal)) &&
            trace.Any(s => s.Service == "billing" && s.Kind.Contains("Consumer", StringComparison.OrdinalIgnoreCase));

        var spans = await Eventually.Until(() => Task.FromResult(system.Dashboard.Store.Trace(traceId.ToHexString())), Complete,
            TimeSpan.FromSeconds(60), "the register call, its outbox publish and billing's consume in one trace on the dashboard");
        Assert.DoesNotContain(spans, s => s.Attributes.Any(a => a.Value.Contains("13700137000", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Every_resource_is_healthy_and_listed_in_resources_json()
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(system.StateDirectory, "resources.json")));
        var resources = json.RootElement.GetProperty("resources").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r);

        foreach (var name in new[] { "postgres", "messaging", "cache", "customer", "billing", "payment", "complaint", "notification" })
        {
            Assert.Equal("healthy", resources[name].GetProperty("state").GetString());
        }

        using var http = new HttpClient();
        foreach (var service in new[] { "customer", "billing", "payment", "complaint", "notification" })
        {
            var health = await http.GetAsync(new Uri(system.App.GetEndpoint(service, "http"), "/health"));
            Assert.True(health.IsSuccessStatusCode, $"{service} /health answered {health.StatusCode}");
        }
    }

    [Fact]
    public async Task The_services_start_and_serve_without_logging_an_error()
    {
        // An error in a service's log is what an SRE is paged on: a normal start (and this class's calls) logs none. A
        // readiness probe that met a bus still starting used to log one on every start of every service.
        foreach (var service in new[] { "customer", "billing", "payment", "complaint", "notification" })
        {
            await using var file = new FileStream(Path.Combine(system.StateDirectory, "logs", service + ".log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(file);
            var lines = (await reader.ReadToEndAsync()).Split('\n');
            Assert.Contains(lines, l => l.Contains("Now listening on", StringComparison.Ordinal)); // the log is the service's own
            var errors = lines.Where(l => l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"{service} logged {errors.Count} errors, the first: {errors.FirstOrDefault()}");
        }
    }

    [Fact]
    public async Task In_Production_the_services_migrate_at_start_and_encrypt_PII_under_the_key_of_the_run_not_the_development_key()
    {
        var customer = await RegisterAsync(CustomerKind.Individual, "Zhou Min", "zhou.min@example.cn");

        // The tables exist because the AppHost asked for migrations at start; the e-mail is stored under the key the
        // AppHost made for this state directory, not under the fixed development key ("dev1").
        await using var db = new NpgsqlConnection(system.App.GetConnectionString("customerdb"));
        await db.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT email_cipher FROM customers WHERE id = @id", db);
        read.Parameters.AddWithValue("id", Guid.Parse(customer.CustomerId));
        var cipher = (string?)await read.ExecuteScalarAsync();
        Assert.StartsWith(Platform.Hosting.LocalSecrets.PiiKeyId + ":", cipher);
        Assert.DoesNotContain("zhou.min", cipher, StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Path.Combine(system.StateDirectory, "secrets", "pii-key")));

        var read2 = await new Customers.CustomersClient(system.Channel("customer")).GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, system.As(Roles.SalesRep, Roles.PiiReader));
        Assert.Equal("zhou.min@example.cn", read2.Email);
    }

    [Fact]
    public async Task A_crashed_service_is_restarted_and_answers_again()
    {
        await system.App.KillAsync("payment");

        var payment = await Eventually.Until(async () => (await ResourceAsync("payment")).Clone(),
            r => r.GetProperty("state").GetString() == "healthy" && r.GetProperty("restarts").GetInt32() >= 1,
            TimeSpan.FromSeconds(90), "payment to be restarted and healthy");
        using var http = new HttpClient();
        var health = await http.GetAsync(new Uri(system.App.GetEndpoint("payment", "http"), "/health"));
        Assert.True(health.IsSuccessStatusCode);
        Assert.True(payment.GetProperty("pid").GetInt32() > 0);
    }

    private async Task<Platform.Contracts.Customer.V1.Customer> RegisterAsync(CustomerKind kind, string name, string email) =>
        await new Customers.CustomersClient(system.Channel("customer")).RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Kind = kind,
            DisplayName = name,
            Email = email,
        }, system.As(Roles.SalesRep));

    private async Task<JsonElement> ResourceAsync(string name)
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(system.StateDirectory, "resources.json")));
        return json.RootElement.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name).Clone();
    }
}
