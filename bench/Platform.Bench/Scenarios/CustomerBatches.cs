using System.Globalization;
using Grpc.Core;
using Npgsql;
using Platform.Contracts.Customer.V1;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Realistic CSV batches for <c>CustomerBulk/ImportCustomers</c> and the segments they spread over, shared by the import
/// and list scenarios so a list asks for segments the import filled. Owners are fixed ids (the same in every run) so a
/// list by owner finds the rows of earlier runs; e-mails carry a random run id so every row is new.
/// </summary>
internal static class CustomerBatches
{
    public const int RowsPerBatch = 1_000;

    public const string Columns = "kind,display_name,email,phone,owner_id,industry,need_type,acquisition_channel,tags";

    /// <summary>About fifty sales reps, a few of whom own most customers (weights below).</summary>
    public static readonly IReadOnlyList<string> Owners =
        [.. Enumerable.Range(1, 50).Select(i => $"b0b0b0b0-0000-4000-8000-{i:D12}")];

    /// <summary>Industry codes with weights (a trading-company mix: many retail and services, few government).</summary>
    public static readonly IReadOnlyList<(string Code, int Weight)> Industries =
    [
        ("retail", 22), ("services", 18), ("manufacturing", 14), ("technology", 10), ("education", 8), ("healthcare", 7),
        ("finance", 5), ("construction", 5), ("logistics", 4), ("agriculture", 3), ("government", 1), ("", 3),
    ];

    public static readonly IReadOnlyList<(string Code, int Weight)> NeedTypes = [("product", 50), ("service", 30), ("combined", 15), ("", 5)];

    public static readonly IReadOnlyList<(string Code, int Weight)> Channels =
    [
        ("face_to_face", 15), ("phone", 20), ("website_message", 25), ("social_media", 20), ("trade_show", 8), ("referral", 12),
    ];

    /// <summary>Tags with the share of customers carrying each (several per customer).</summary>
    public static readonly IReadOnlyList<(string Tag, int Percent)> Tags =
    [
        ("vip", 5), ("wechat", 40), ("newsletter", 30), ("key-account", 3), ("north", 25), ("south", 25), ("east", 25),
        ("renewal-2026", 10), ("price-sensitive", 15), ("trial", 8),
    ];

    private static readonly string[] Surnames = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"];
    private static readonly string[] Suffixes = ["Trading Co.", "Ltd.", "Technology", "Services", "Group", "Studio"];

    /// <summary>A row's owner: owner i gets a share falling with i (a long tail).</summary>
    public static string OwnerFor(Random random)
    {
        // 1/(i+1) weights over 50 owners: the first few reps own far more customers than the last ones.
        var total = 0d;
        for (var i = 0; i < Owners.Count; i++)
        {
            total += 1d / (i + 2);
        }

        var pick = random.NextDouble() * total;
        for (var i = 0; i < Owners.Count; i++)
        {
            pick -= 1d / (i + 2);
            if (pick <= 0)
            {
                return Owners[i];
            }
        }

        return Owners[^1];
    }

    public static string Weighted(IReadOnlyList<(string Code, int Weight)> choices, Random random)
    {
        var pick = random.Next(choices.Sum(c => c.Weight));
        foreach (var (code, weight) in choices)
        {
            pick -= weight;
            if (pick < 0)
            {
                return code;
            }
        }

        return choices[^1].Code;
    }

    /// <summary>One batch of <see cref="RowsPerBatch"/> CSV lines, each a customer no earlier batch had.</summary>
    public static List<string> Lines(string runId, long batch, Random random)
    {
        var lines = new List<string>(RowsPerBatch);
        for (var i = 0; i < RowsPerBatch; i++)
        {
            var organization = random.Next(100) < 60;
            var name = organization
                ? $"{Surnames[random.Next(Surnames.Length)]} {Suffixes[random.Next(Suffixes.Length)]} {batch}-{i}"
                : $"{Surnames[random.Next(Surnames.Length)]} Customer {batch}-{i}";
            var tags = string.Join(';', Tags.Where(t => random.Next(100) < t.Percent).Select(t => t.Tag));
            lines.Add(string.Join(',',
                organization ? "organization" : "individual",
                name,
                string.Create(CultureInfo.InvariantCulture, $"c.{runId}.{batch}.{i}@bench.example"),
                "",
                OwnerFor(random),
                Weighted(Industries, random),
                Weighted(NeedTypes, random),
                Weighted(Channels, random),
                tags));
        }

        return lines;
    }

    /// <summary>Streams one batch through ImportCustomers and answers the final progress (created, duplicates, invalid).</summary>
    public static async Task<ImportProgress> ImportAsync(CustomerBulk.CustomerBulkClient client, IReadOnlyList<string> lines, CallOptions options)
    {
        using var call = client.ImportCustomers(options);
        var reading = Task.Run(async () =>
        {
            ImportProgress? last = null;
            await foreach (var response in call.ResponseStream.ReadAllAsync(options.CancellationToken))
            {
                if (response.ItemCase == ImportCustomersResponse.ItemOneofCase.Progress)
                {
                    last = response.Progress;
                }
            }

            return last;
        });
        await call.RequestStream.WriteAsync(new ImportCustomersRequest { Header = new ImportHeader { RequestId = Guid.NewGuid().ToString(), Columns = Columns } });
        foreach (var line in lines)
        {
            await call.RequestStream.WriteAsync(new ImportCustomersRequest { Line = line });
        }

        await call.RequestStream.CompleteAsync();
        var progress = await reading;
        if (progress is not { Done: true })
        {
            throw new BenchException("ImportCustomers ended without its final progress message.");
        }

        if (progress.Invalid > 0)
        {
            throw new BenchException($"ImportCustomers refused {progress.Invalid} of {progress.RowsReceived} generated rows: the generator is wrong.");
        }

        return progress;
    }

    /// <summary>Live (not merged) customers in the customer database, read directly for the seeding decision.</summary>
    public static async Task<long> CountAsync(BenchContext context, string scenario)
    {
        var resources = context.RequireResources(scenario);
        var connection = resources.Find("customerdb")?.ConnectionString;
        if (connection is null)
        {
            connection = new NpgsqlConnectionStringBuilder(context.RequirePostgres(scenario)) { Database = "customerdb" }.ConnectionString;
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM customers WHERE merged_into_id IS NULL");
        return Convert.ToInt64(await count.ExecuteScalarAsync(context.Cancellation), CultureInfo.InvariantCulture);
    }
}
