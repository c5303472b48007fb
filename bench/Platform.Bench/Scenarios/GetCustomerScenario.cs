using Platform.Contracts.Customer.V1;

namespace Platform.Bench.Scenarios;

/// <summary>
/// GetCustomer over a working set of 200 customers registered in setup, read again and again (a rep's screen refreshing
/// the accounts they work on): JWT, the Redis read-through cache (first read of each loads PostgreSQL and fills it, setup
/// does that once), PII decryption and masking.
/// </summary>
public sealed class GetCustomerScenario : IScenario
{
    private const int WorkingSet = 200;

    private Customers.CustomersClient? client;
    private BenchContext? context;
    private GetCustomerRequest[] requests = [];
    private long next;

    public string Name => "get-customer";

    public string Description => "GetCustomer over 200 customers read repeatedly: the Redis read-through cache path (needs --resources or --start-platform).";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Customers.CustomersClient(context.Channel("customer"));
        var list = new List<GetCustomerRequest>(WorkingSet);
        for (var i = 0; i < WorkingSet; i++)
        {
            var customer = await client.RegisterCustomerAsync(new RegisterCustomerRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Kind = CustomerKind.Organization,
                DisplayName = $"Bench Reader {i} Ltd.",
                Email = $"{Guid.NewGuid():N}@bench.example",
            }, context.CallOptions(context.Cancellation));
            var request = new GetCustomerRequest { CustomerId = customer.CustomerId };
            await client.GetCustomerAsync(request, context.CallOptions(context.Cancellation)); // fills the cache
            list.Add(request);
        }

        requests = [.. list];
    }

    public Task RunOnceAsync(CancellationToken ct) =>
        client!.GetCustomerAsync(requests[(int)(Interlocked.Increment(ref next) % requests.Length)], context!.CallOptions(ct)).ResponseAsync;
}
