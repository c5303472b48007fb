using Grpc.Core;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Customers registered through the customer service whose prepaid accounts billing opened (from CustomerRegistered),
/// each funded with one large transfer into prepaid cash. Operations spread over them round-robin, as many customers'
/// transfers would; two callers meet on one customer only now and then.
/// </summary>
internal sealed class FundedCustomers
{
    public const int Count = 256;

    private long next;

    public required IReadOnlyList<string> Ids { get; init; }

    public string Next() => Ids[(int)(Interlocked.Increment(ref next) % Ids.Count)];

    public static async Task<FundedCustomers> CreateAsync(BenchContext context)
    {
        var customers = new Customers.CustomersClient(context.Channel("customer"));
        var ledger = new Ledger.LedgerClient(context.Channel("billing"));
        var ids = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            var customer = await customers.RegisterCustomerAsync(new RegisterCustomerRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Kind = CustomerKind.Organization,
                DisplayName = $"Bench Ledger {i}",
                Email = $"{Guid.NewGuid():N}@bench.example",
            }, context.CallOptions(context.Cancellation));
            ids.Add(customer.CustomerId);
        }

        var deadline = DateTime.UtcNow.AddMinutes(2);
        foreach (var id in ids)
        {
            while (true)
            {
                try
                {
                    await ledger.TransferAsync(new TransferRequest
                    {
                        TransferId = Guid.NewGuid().ToString(),
                        CustomerId = id,
                        Code = "bench.funded",
                        Legs = { new TransferLeg { From = LedgerAccount.PaymentsClearing, To = LedgerAccount.PrepaidCash, Amount = new Google.Type.Money { CurrencyCode = "CNY", Units = 1_000_000_000 } } },
                    }, context.CallOptions(context.Cancellation));
                    break;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100, context.Cancellation); // billing has not applied CustomerRegistered yet
                }
            }
        }

        return new FundedCustomers { Ids = ids };
    }
}

/// <summary>Single-leg Transfer (prepaid cash → revenue, a new transfer id each time): lock, append, update, outbox, commit.</summary>
public sealed class LedgerTransferScenario : IScenario
{
    private Ledger.LedgerClient? client;
    private BenchContext? context;
    private FundedCustomers? customers;

    public string Name => "ledger-transfer";

    public string Description => "Single-leg ledger Transfer over 256 funded customers (needs --resources or --start-platform).";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Ledger.LedgerClient(context.Channel("billing"));
        customers = await FundedCustomers.CreateAsync(context);
    }

    public Task RunOnceAsync(CancellationToken ct) => client!.TransferAsync(new TransferRequest
    {
        TransferId = Guid.CreateVersion7().ToString(),
        CustomerId = customers!.Next(),
        Code = "prepaid.consumed",
        Legs = { new TransferLeg { From = LedgerAccount.PrepaidCash, To = LedgerAccount.Revenue, Amount = new Google.Type.Money { CurrencyCode = "CNY", Units = 1 } } },
    }, context!.CallOptions(ct)).ResponseAsync;
}

/// <summary>GetPrepaidBalance over 256 funded customers: JWT and one indexed read of the account row.</summary>
public sealed class PrepaidBalanceScenario : IScenario
{
    private PrepaidAccounts.PrepaidAccountsClient? client;
    private BenchContext? context;
    private FundedCustomers? customers;

    public string Name => "prepaid-balance";

    public string Description => "GetPrepaidBalance over 256 funded customers (needs --resources or --start-platform).";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new PrepaidAccounts.PrepaidAccountsClient(context.Channel("billing"));
        customers = await FundedCustomers.CreateAsync(context);
    }

    public Task RunOnceAsync(CancellationToken ct) =>
        client!.GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customers!.Next() }, context!.CallOptions(ct)).ResponseAsync;
}
