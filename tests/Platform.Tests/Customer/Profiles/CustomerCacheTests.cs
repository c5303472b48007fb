using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Caching;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Caching;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using StackExchange.Redis;
using Domain = Platform.Customer.Domain;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class CustomerCacheTests(ProfileService service)
{
    [Fact]
    public async Task GetCustomer_reads_through_the_cache_which_holds_no_plaintext_pii()
    {
        var customer = await service.RegisterAsync("Cache Reader", phone: "+8613512345678");
        var id = Guid.Parse(customer.CustomerId);
        var key = CustomerCache.KeyOf(id);
        // Registering as a pii_reader already read it once: drop it from Redis and, by announcement, from memory.
        await service.Cache.KeyDeleteAsync(key);
        await service.Cache.PublishAsync(CustomerCache.Channel, id.ToString("N"));

        var first = await Eventually.Until(
            () => service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep, Roles.PiiReader)).ResponseAsync,
            _ => service.Cache.KeyExists(key), what: "the read to go through to Redis");
        var cached = (string?)await service.Cache.StringGetAsync(key);

        Assert.NotNull(cached);
        Assert.Contains(customer.CustomerId, cached, StringComparison.Ordinal);
        Assert.DoesNotContain(customer.Email, cached, StringComparison.Ordinal);
        Assert.DoesNotContain("13512345678", cached, StringComparison.Ordinal);
        Assert.Equal(customer.Email, first.Email);
        Assert.True(await service.Cache.KeyTimeToLiveAsync(key) > TimeSpan.Zero);
    }

    [Fact]
    public async Task Each_redis_command_of_a_read_through_is_a_client_span_in_the_caller_s_trace()
    {
        var customer = await service.RegisterAsync("Traced Reader");
        var id = Guid.Parse(customer.CustomerId);
        await service.Cache.KeyDeleteAsync(CustomerCache.KeyOf(id));
        await service.Cache.PublishAsync(CustomerCache.Channel, id.ToString("N"));
        var spans = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RedisCalls.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var root = new Activity("test read").SetIdFormat(ActivityIdFormat.W3C).Start();
        var headers = Tokens.Bearer(Roles.SalesRep);
        headers.Add("traceparent", root.Id!);

        await Eventually.Until(
            () => service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, new CallOptions(headers)).ResponseAsync,
            _ => service.Cache.KeyExists(CustomerCache.KeyOf(id)), what: "the read to go through to Redis");

        var traced = spans.Where(a => a.TraceId == root.TraceId).ToList();
        Assert.Contains(traced, a => a.DisplayName == "GET");
        Assert.Contains(traced, a => a.DisplayName == "SET");
        Assert.All(traced, a => Assert.Equal((ActivityKind.Client, "redis"), (a.Kind, a.GetTagItem("db.system.name"))));
        Assert.All(traced, a => Assert.NotEqual(root.SpanId, a.ParentSpanId)); // children of the service's server span, not of the caller's
    }

    [Fact]
    public async Task A_change_saved_through_the_database_context_anywhere_drops_the_cached_customer()
    {
        var customer = await service.RegisterAsync("Before Change");
        var id = Guid.Parse(customer.CustomerId);
        await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep));
        Assert.True(await service.Cache.KeyExistsAsync(CustomerCache.KeyOf(id)));

        // As other parts of the service change customers: a tracked entity and SaveChanges.
        await service.QueryAsync(async db =>
        {
            var row = await db.Customers.SingleAsync(c => c.Id == id);
            row.IntentGrade = Platform.Customer.Domain.IntentGrade.A;
            return await db.SaveChangesAsync();
        });

        Assert.Equal(CustomerCache.ChangedMarker, (string?)await service.Cache.StringGetAsync(CustomerCache.KeyOf(id)));
        var after = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep));
        Assert.Equal(IntentGrade.A, after.IntentGrade);
    }

    [Fact]
    public async Task Inside_a_transaction_the_cached_customer_is_dropped_at_commit()
    {
        var customer = await service.RegisterAsync("In Transaction");
        var id = Guid.Parse(customer.CustomerId);
        await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep));

        var (beforeCommit, afterCommit) = await service.QueryAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            (await db.Customers.SingleAsync(c => c.Id == id)).Industry = "retail";
            await db.SaveChangesAsync();
            var before = (string?)await service.Cache.StringGetAsync(CustomerCache.KeyOf(id));
            await tx.CommitAsync();
            return (before, (string?)await service.Cache.StringGetAsync(CustomerCache.KeyOf(id)));
        });

        Assert.Contains(customer.CustomerId, beforeCommit, StringComparison.Ordinal);
        Assert.Equal(CustomerCache.ChangedMarker, afterCommit);
    }

    [Fact]
    public async Task A_replica_holding_a_customer_in_memory_answers_the_change_another_replica_made()
    {
        var infra = await Infrastructure.SharedAsync();
        await using var other = ProfileService.Start(service.Database, service.Redis, await infra.NewVirtualHostAsync("replica"));
        var otherCustomers = new Customers.CustomersClient(other.Channel);
        var customer = await service.RegisterAsync("Two Replicas");
        var read = new GetCustomerRequest { CustomerId = customer.CustomerId };
        var etag = (await otherCustomers.GetCustomerAsync(read, Tokens.As(Roles.SalesRep))).Etag;
        // It answers from its memory now: a read that reached Redis would put back the key removed behind its back.
        var key = CustomerCache.KeyOf(Guid.Parse(customer.CustomerId));
        await service.Cache.KeyDeleteAsync(key);
        Assert.Equal(etag, (await otherCustomers.GetCustomerAsync(read, Tokens.As(Roles.SalesRep))).Etag);
        Assert.False(await service.Cache.KeyExistsAsync(key));

        await service.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Customer = new Contracts.Customer.V1.Customer { CustomerId = customer.CustomerId, Etag = etag, Industry = "logistics" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "industry" } },
        }, Tokens.As(Roles.SalesRep));

        // The announcement crosses Redis asynchronously; the memory level's lifetime (30 s) is far longer than this wait.
        var seen = await Eventually.Until(() => otherCustomers.GetCustomerAsync(read, Tokens.As(Roles.SalesRep)).ResponseAsync,
            c => c.Industry == "logistics", timeout: TimeSpan.FromSeconds(5), what: "the other replica to drop its copy");
        Assert.NotEqual(etag, seen.Etag);
    }

    [Fact]
    public async Task A_read_that_loaded_the_row_before_another_replica_changed_it_does_not_put_the_old_row_back_in_redis()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(service.Redis);
        CustomerCache Replica() => new(redis, Options.Create(new CustomerCacheOptions()), TimeProvider.System, NullLogger<CustomerCache>.Instance);
        using var reader = Replica();
        using var writer = Replica();
        using var later = Replica();
        var id = Guid.CreateVersion7();
        var before = new Domain.CustomerProfile { Id = id, DisplayName = "Before", Stage = Domain.LifecycleStage.Prospect };
        var after = new Domain.CustomerProfile { Id = id, DisplayName = "After", Stage = Domain.LifecycleStage.Customer };

        // The reader misses and loads the row; the change commits on the other replica while the reader has it in hand.
        var read = await reader.GetOrLoadAsync(id, async () =>
        {
            await writer.InvalidateAsync([id]);
            return before;
        });

        Assert.Equal("Before", read!.DisplayName);
        var answered = await later.GetOrLoadAsync(id, () => Task.FromResult<Domain.CustomerProfile?>(after));
        Assert.Equal(Domain.LifecycleStage.Customer, answered!.Stage);
        Assert.Equal(CustomerCache.ChangedMarker, (string?)await service.Cache.StringGetAsync(CustomerCache.KeyOf(id)));
    }

    [Fact]
    public async Task A_remembered_token_with_its_signature_altered_is_still_refused()
    {
        var token = Tokens.For(Roles.SalesRep);
        var customer = await service.RegisterAsync("Token Holder");
        var read = new GetCustomerRequest { CustomerId = customer.CustomerId };
        Grpc.Core.Metadata Bearer(string t) => new() { { "Authorization", "Bearer " + t } };
        await service.Customers.GetCustomerAsync(read, Bearer(token)); // validated, then remembered
        await service.Customers.GetCustomerAsync(read, Bearer(token)); // answered from what was remembered

        var signature = token[(token.LastIndexOf('.') + 1)..];
        var altered = token[..(token.LastIndexOf('.') + 1)] + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await service.Customers.GetCustomerAsync(read, Bearer(altered)));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task With_redis_down_customers_are_still_answered_from_the_database_and_the_outage_is_logged_once_and_counted()
    {
        var unavailable = 0L;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "platform.customer.cache.unavailable")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref unavailable, value));
        listener.Start();
        var infra = await Infrastructure.SharedAsync();
        var logs = new LogCapture();
        await using var host = ProfileService.Start(service.Database, "127.0.0.1:1,connectTimeout=200", await infra.NewVirtualHostAsync("noredis"), logs);
        var customers = new Customers.CustomersClient(host.Channel);
        var registered = await service.RegisterAsync("Redis Down");

        for (var i = 0; i < 3; i++)
        {
            var answer = await customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = registered.CustomerId }, Tokens.As(Roles.SalesRep));
            Assert.Equal("Redis Down", answer.DisplayName);
        }

        Assert.Single(logs.Lines, l => l.Contains("Customer cache unavailable", StringComparison.Ordinal));
        Assert.True(Interlocked.Read(ref unavailable) >= 3);
    }
}
