using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Customer.Domain;
using StackExchange.Redis;

namespace Platform.Customer.Caching;

/// <summary>Section "CustomerCache": how long a cached customer lives (a safety net; changes invalidate it at once).</summary>
public sealed class CustomerCacheOptions
{
    public const string Section = "CustomerCache";

    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Cache-aside for customer rows in Redis, one key per customer. The cached form is the stored row (ciphertexts, never
/// plaintext PII). Redis being down never fails a read: the caller loads from PostgreSQL, the outage is logged once
/// (until Redis answers again) and counted.
/// </summary>
public sealed class CustomerCache(IConnectionMultiplexer redis, IOptions<CustomerCacheOptions> options, ILogger<CustomerCache> log)
{
    private static readonly Meter Meter = new("Platform.Customer");
    private static readonly Counter<long> Unavailable = Meter.CreateCounter<long>("platform.customer.cache.unavailable",
        description: "Customer cache operations that failed because Redis did not answer");
    private static readonly Counter<long> Hits = Meter.CreateCounter<long>("platform.customer.cache.hits");
    private static readonly Counter<long> Misses = Meter.CreateCounter<long>("platform.customer.cache.misses");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);
    private int down;

    public static RedisKey KeyOf(Guid customerId) => "customer:v1:" + customerId.ToString("N");

    /// <summary>The cached row, or what <paramref name="load"/> answers (cached when found).</summary>
    public async Task<CustomerProfile?> GetOrLoadAsync(Guid customerId, Func<Task<CustomerProfile?>> load)
    {
        var cached = await TryAsync(db => db.StringGetAsync(KeyOf(customerId)));
        if (cached is { HasValue: true } value)
        {
            Hits.Add(1);
            return JsonSerializer.Deserialize<CustomerProfile>((string)value!, Json);
        }

        Misses.Add(1);
        var loaded = await load();
        if (loaded is not null)
        {
            var json = JsonSerializer.Serialize(loaded, Json);
            await TryAsync(db => db.StringSetAsync(KeyOf(customerId), json, options.Value.TimeToLive));
        }

        return loaded;
    }

    public async Task InvalidateAsync(IReadOnlyCollection<Guid> customerIds)
    {
        if (customerIds.Count > 0)
        {
            await TryAsync(db => db.KeyDeleteAsync(customerIds.Select(KeyOf).ToArray()));
        }
    }

    private async Task<T?> TryAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        try
        {
            var result = await operation(redis.GetDatabase());
            if (Interlocked.Exchange(ref down, 0) == 1)
            {
                log.LogInformation("Customer cache is answering again");
            }

            return result;
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            Unavailable.Add(1);
            if (Interlocked.Exchange(ref down, 1) == 0)
            {
                log.LogWarning(e, "Customer cache unavailable; answering from the database until it is back");
            }

            return default;
        }
    }
}
