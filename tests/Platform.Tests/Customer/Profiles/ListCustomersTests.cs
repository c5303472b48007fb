using Xunit.Abstractions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;
using Domain = Platform.Customer.Domain;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class ListCustomersTests(ProfileService service, ITestOutputHelper output)
{
    private async Task<Contracts.Customer.V1.Customer> WithProfileAsync(string owner, string name, string industry, string tag)
    {
        var c = await service.RegisterAsync(name, ownerId: owner);
        return await service.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Customer = new Contracts.Customer.V1.Customer { CustomerId = c.CustomerId, Etag = c.Etag, Industry = industry, Tags = { tag } },
            UpdateMask = new FieldMask { Paths = { "industry", "tags" } },
        }, Tokens.As(Roles.SalesRep));
    }

    [Fact]
    public async Task Filtered_list_pages_through_every_match_once_newest_first()
    {
        var owner = Guid.NewGuid().ToString();
        var retail = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            retail.Add((await WithProfileAsync(owner, $"Retail {i}", "retail", i % 2 == 0 ? "even" : "odd")).CustomerId);
            await WithProfileAsync(owner, $"Finance {i}", "finance", "even");
        }

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await service.Customers.ListCustomersAsync(new ListCustomersRequest
            {
                Filter = new CustomerFilter { OwnerId = owner, Industries = { "retail" } },
                PageSize = 3,
                PageToken = token,
            }, Tokens.As(Roles.SalesManager));
            seen.AddRange(page.Customers.Select(c => c.CustomerId));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        var evenRetail = await service.Customers.ListCustomersAsync(new ListCustomersRequest
        {
            Filter = new CustomerFilter { OwnerId = owner, Industries = { "retail" }, Tag = "EVEN" },
        }, Tokens.As(Roles.SalesManager));

        Assert.Equal(Enumerable.Reverse(retail), seen);
        Assert.Equal(3, pages);
        Assert.Equal(4, evenRetail.Customers.Count);
        Assert.All(evenRetail.Customers, c => Assert.Contains("even", c.Tags));
        Assert.Empty(evenRetail.NextPageToken);
    }

    [Fact]
    public async Task Search_matches_part_of_the_name_whatever_the_case()
    {
        var owner = Guid.NewGuid().ToString();
        var hit = await service.RegisterAsync("Hangzhou Blue Sky Education", ownerId: owner);
        await service.RegisterAsync("Suzhou Red River Retail", ownerId: owner);

        var found = await service.Customers.SearchCustomersAsync(new SearchCustomersRequest
        {
            Query = "blue sky",
            Filter = new CustomerFilter { OwnerId = owner },
        }, Tokens.As(Roles.SalesRep));

        Assert.Equal([hit.CustomerId], found.Customers.Select(c => c.CustomerId));
        Assert.Contains("***", found.Customers[0].Email, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_paging_and_filters_name_their_fields()
    {
        var token = await InvalidFields(async () => await service.Customers.ListCustomersAsync(
            new ListCustomersRequest { PageToken = "bm90LW91cnM" }, Tokens.As(Roles.SalesRep)));
        var size = await InvalidFields(async () => await service.Customers.ListCustomersAsync(
            new ListCustomersRequest { PageSize = 501 }, Tokens.As(Roles.SalesRep)));
        var filters = await InvalidFields(async () => await service.Customers.ListCustomersAsync(
            new ListCustomersRequest { Filter = new CustomerFilter { OwnerId = "x", Industries = { "mining-on-mars" }, LifecycleStages = { (LifecycleStage)42 } } },
            Tokens.As(Roles.SalesRep)));
        var query = await InvalidFields(async () => await service.Customers.SearchCustomersAsync(
            new SearchCustomersRequest { Query = "a" }, Tokens.As(Roles.SalesRep)));

        Assert.Equal(["page_token"], token);
        Assert.Equal(["page_size"], size);
        Assert.Equal(["filter.industries", "filter.lifecycle_stages", "filter.owner_id"], filters);
        Assert.Equal(["query"], query);
    }

    [Fact]
    public async Task Lists_need_a_role()
    {
        await Refused(StatusCode.Unauthenticated, async () => await service.Customers.ListCustomersAsync(new ListCustomersRequest()));
        await Refused(StatusCode.PermissionDenied, async () => await service.Customers.ListCustomersAsync(new ListCustomersRequest(), Tokens.As(Roles.PiiReader)));
    }

    /// <summary>
    /// 100,000 customers seeded in SQL (segments assigned independently, as in real data): each filtered first page is
    /// answered from an index (no sequential scan of customers) and executes within the 50 ms budget of a page.
    /// </summary>
    [Fact]
    public async Task Filtered_pages_over_100000_customers_use_an_index()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var host = ProfileService.Start(await infra.NewDatabaseAsync("profiles_big"), infra.Redis, await infra.NewVirtualHostAsync("big"));
        await host.StartedAsync();
        var owner = Guid.NewGuid();
        await host.QueryAsync<CustomerDb, int>(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO customers (id, kind, display_name, owner_id, stage, value_tier, intent_grade, industry, need_type, acquisition_channel, tags, created_at)
            SELECT (lpad(to_hex(1700000000000 + g), 12, '0') || substr(md5(g::text), 1, 20))::uuid, 'Individual', 'Customer ' || g || ' ' || md5(g::text),
                   CASE WHEN g % 50 = 0 THEN {owner} ELSE gen_random_uuid() END,
                   (ARRAY['Prospect','Customer','Dormant','Churned'])[1 + abs(hashtext(g || 'stage')) % 4],
                   (ARRAY['Low','Mid','High'])[1 + abs(hashtext(g || 'tier')) % 3], (ARRAY['A','B','C'])[1 + abs(hashtext(g || 'grade')) % 3],
                   (ARRAY['retail','finance','education','services','manufacturing','other'])[1 + abs(hashtext(g || 'industry')) % 6],
                   (ARRAY['Product','Service','Combined'])[1 + abs(hashtext(g || 'need')) % 3],
                   (ARRAY['Phone','Referral','TradeShow','SocialMedia'])[1 + abs(hashtext(g || 'channel')) % 4],
                   CASE WHEN g % 100 = 0 THEN ARRAY['vip'] ELSE ARRAY['regular'] END, now()
            FROM generate_series(1, 100000) g
            """));
        await host.QueryAsync<CustomerDb, int>(db => db.Database.ExecuteSqlRawAsync("ANALYZE customers"));
        var cases = new Dictionary<string, CustomerCriteria>
        {
            ["owner"] = new([], [], [], [], [], owner, null, []),
            ["tag"] = new([], [], [], [], [], null, "vip", []),
            ["grade and industry"] = new([], [], [Domain.IntentGrade.A], ["finance"], [], null, null, []),
            ["stage and channel"] = new([Domain.LifecycleStage.Dormant], [], [], [], [], null, null, [Domain.AcquisitionChannel.Referral]),
            ["name"] = new([], [], [], [], [], null, null, [], "5d41402abc"),
        };

        foreach (var (name, criteria) in cases)
        {
            var plan = await host.QueryAsync<CustomerDb, List<string>>(db => ExplainAsync(db, criteria));
            var text = string.Join('\n', plan);
            Assert.False(text.Contains("Seq Scan on customers", StringComparison.Ordinal), $"{name}: sequential scan\n{text}");
            var ms = double.Parse(plan.Last(l => l.StartsWith("Execution Time", StringComparison.Ordinal)).Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
            output.WriteLine($"{name}: {ms} ms, {plan[1]}");
            Assert.True(ms < 50, $"{name}: {ms} ms\n{text}");
        }
    }

    private static async Task<List<string>> ExplainAsync(CustomerDb db, CustomerCriteria criteria)
    {
        await using var command = new CustomerQueries(db).PageQuery(criteria, 50, null).CreateDbCommand();
        command.CommandText = "EXPLAIN (ANALYZE, FORMAT TEXT) " + command.CommandText;
        await command.Connection!.OpenAsync();
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0).Trim());
        }

        return plan;
    }
}
