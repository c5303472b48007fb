using System.Diagnostics;
using Platform.Contracts.Customer.V1;

namespace Platform.Bench.Scenarios;

/// <summary>
/// ListCustomers, one filtered first page of 50 per operation, the filter rotating among what sales staff ask for
/// (industry + value tier, owner, tag, channel + need type, lifecycle stage, industry + owner). Setup makes sure at least
/// 100,000 customers exist, importing the missing ones through the streaming import and reporting its rows/s.
/// </summary>
public sealed class CustomerListScenario : IScenario
{
    private const int Wanted = 100_000;

    private CustomerFilter[] filters = [];
    private Customers.CustomersClient? client;
    private BenchContext? context;
    private long next;

    public string Name => "customer-list";

    public string Description => "ListCustomers, one filtered page of 50 per op over ≥100,000 customers (setup imports the missing ones).";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Customers.CustomersClient(context.Channel("customer"));
        await SeedAsync(context);
        filters = [.. Filters()];
    }

    public Task RunOnceAsync(CancellationToken ct)
    {
        var filter = filters[(int)(Interlocked.Increment(ref next) % filters.Length)];
        return client!.ListCustomersAsync(new ListCustomersRequest { Filter = filter, PageSize = 50 }, context!.CallOptions(ct)).ResponseAsync;
    }

    private static async Task SeedAsync(BenchContext context)
    {
        var existing = await CustomerBatches.CountAsync(context, "customer-list");
        var missing = Wanted - existing;
        if (missing <= 0)
        {
            Log.Info($"customer-list: {existing:N0} customers already there, no seeding");
            return;
        }

        var bulk = new CustomerBulk.CustomerBulkClient(context.Channel("customer"));
        var runId = Guid.NewGuid().ToString("N")[..10];
        var batches = (int)((missing + CustomerBatches.RowsPerBatch - 1) / CustomerBatches.RowsPerBatch);
        Log.Info($"customer-list: {existing:N0} customers, importing {batches:N0} batches of {CustomerBatches.RowsPerBatch:N0} (one stream at a time)");
        var clock = Stopwatch.StartNew();
        var created = 0L;
        for (var batch = 1; batch <= batches; batch++)
        {
            var lines = CustomerBatches.Lines(runId, batch, new Random(batch * 7919));
            var options = new Grpc.Core.CallOptions(deadline: DateTime.UtcNow.AddMinutes(5), cancellationToken: context.Cancellation);
            created += (await CustomerBatches.ImportAsync(bulk, lines, options)).Created;
            if (batch % 10 == 0)
            {
                Log.Info($"customer-list: seeded {created:N0} rows in {clock.Elapsed.TotalSeconds:F0} s ({created / clock.Elapsed.TotalSeconds:F0} rows/s)");
            }
        }

        Log.Info($"customer-list: seeding imported {created:N0} rows in {clock.Elapsed.TotalSeconds:F1} s = {created / clock.Elapsed.TotalSeconds:F0} rows/s (concurrency 1)");
    }

    /// <summary>The rotation: each filter once per cycle, the segments the import spreads customers over.</summary>
    private static List<CustomerFilter> Filters()
    {
        var filters = new List<CustomerFilter>();
        string[] industries = ["retail", "services", "manufacturing", "technology", "finance", "healthcare"];
        foreach (var industry in industries)
        {
            filters.Add(new CustomerFilter { Industries = { industry }, ValueTiers = { ValueTier.High, ValueTier.Mid } });
        }

        foreach (var owner in CustomerBatches.Owners.Where((_, i) => i % 5 == 0))
        {
            filters.Add(new CustomerFilter { OwnerId = owner });
        }

        foreach (var tag in new[] { "vip", "key-account", "renewal-2026", "wechat" })
        {
            filters.Add(new CustomerFilter { Tag = tag });
        }

        filters.Add(new CustomerFilter { AcquisitionChannels = { AcquisitionChannel.TradeShow }, NeedTypes = { NeedType.Service } });
        filters.Add(new CustomerFilter { AcquisitionChannels = { AcquisitionChannel.Referral, AcquisitionChannel.FaceToFace }, NeedTypes = { NeedType.Combined } });
        filters.Add(new CustomerFilter { AcquisitionChannels = { AcquisitionChannel.WebsiteMessage }, NeedTypes = { NeedType.Product } });
        filters.Add(new CustomerFilter { LifecycleStages = { LifecycleStage.Prospect } });
        filters.Add(new CustomerFilter { LifecycleStages = { LifecycleStage.Customer, LifecycleStage.Dormant } });
        filters.Add(new CustomerFilter { Industries = { "education" }, OwnerId = CustomerBatches.Owners[3] });
        filters.Add(new CustomerFilter { Tag = "vip", OwnerId = CustomerBatches.Owners[0] });
        return filters;
    }
}
