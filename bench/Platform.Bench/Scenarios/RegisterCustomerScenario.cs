using Platform.Contracts.Customer.V1;

namespace Platform.Bench.Scenarios;

/// <summary>
/// RegisterCustomer with a fresh request_id and e-mail per call: validation, PII encryption and blind index, duplicate
/// check, the customer row, the idempotency row and the outbox row in one transaction (durable), then the relay's publish.
/// </summary>
public sealed class RegisterCustomerScenario : IScenario
{
    private Customers.CustomersClient? client;
    private BenchContext? context;

    public string Name => "register-customer";

    public string Description => "RegisterCustomer, a new customer per call (needs --resources or --start-platform).";

    public Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Customers.CustomersClient(context.Channel("customer"));
        return Task.CompletedTask;
    }

    public Task RunOnceAsync(CancellationToken ct) => client!.RegisterCustomerAsync(new RegisterCustomerRequest
    {
        RequestId = Guid.NewGuid().ToString(),
        Kind = CustomerKind.Individual,
        DisplayName = "Bench Customer",
        Email = $"{Guid.NewGuid():N}@bench.example",
    }, context!.CallOptions(ct)).ResponseAsync;
}
