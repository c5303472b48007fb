namespace Platform.Bench.Scenarios;

/// <summary>
/// One operation = one CSV batch of 1,000 new customers streamed through <c>CustomerBulk/ImportCustomers</c> (header,
/// one message per line, then the final progress): parsing, PII encryption and blind indexes, duplicate checks, the
/// customer rows and one CustomerRegistered outbox row each, committed per service batch. Rows/s = ops/s × 1000.
/// </summary>
public sealed class CustomerImportScenario : IScenario
{
    private readonly string runId = Guid.NewGuid().ToString("N")[..10];
    private Contracts.Customer.V1.CustomerBulk.CustomerBulkClient? client;
    private BenchContext? context;
    private long batches;

    public string Name => "customer-import";

    public string Description => "ImportCustomers, one streamed CSV batch of 1,000 new rows per op: rows/s = ops/s × 1000 (run at concurrency 1 or 2).";

    public Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Contracts.Customer.V1.CustomerBulk.CustomerBulkClient(context.Channel("customer"));
        return Task.CompletedTask;
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        var batch = Interlocked.Increment(ref batches);
        var lines = CustomerBatches.Lines(runId, batch, new Random(unchecked((int)batch * 7919)));
        await CustomerBatches.ImportAsync(client!, lines, context!.CallOptions(ct));
    }

    public Task TeardownAsync()
    {
        Log.Info($"customer-import: {batches} batches ({batches * CustomerBatches.RowsPerBatch:N0} rows) sent in run {runId}");
        return Task.CompletedTask;
    }
}
