using Platform.Contracts.Customer.V1;

namespace Platform.Bench.Scenarios;

/// <summary>GetCustomer of one customer registered in setup: JWT, one indexed read, PII decryption and masking.</summary>
public sealed class GetCustomerScenario : IScenario
{
    private Customers.CustomersClient? client;
    private BenchContext? context;
    private GetCustomerRequest? request;

    public string Name => "get-customer";

    public string Description => "GetCustomer of one customer (needs --resources or --start-platform).";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Customers.CustomersClient(context.Channel("customer"));
        var customer = await client.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Kind = CustomerKind.Organization,
            DisplayName = "Bench Reader Ltd.",
            Email = $"{Guid.NewGuid():N}@bench.example",
        }, context.CallOptions(context.Cancellation));
        request = new GetCustomerRequest { CustomerId = customer.CustomerId };
    }

    public Task RunOnceAsync(CancellationToken ct) => client!.GetCustomerAsync(request!, context!.CallOptions(ct)).ResponseAsync;
}
