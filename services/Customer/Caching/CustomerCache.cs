using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Caching;
using Platform.Customer.Domain;
using StackExchange.Redis;

namespace Platform.Customer.Caching;

/// <summary>Section "CustomerCache": how long cached customers live (a safety net; changes invalidate them at once).</summary>
public sealed class CustomerCacheOptions
{
    public const string Section = "CustomerCache";

    /// <summary>Lifetime of a customer in Redis.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Lifetime of a customer in this replica's memory, in front of Redis (zero turns the memory level off).</summary>
    public TimeSpan LocalTimeToLive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most customers held in this replica's memory; when full, it is emptied and fills again with what is read.</summary>
    public int LocalEntries { get; set; } = 20_000;

    /// <summary>
    /// How long after a change Redis holds a marker in the customer's place, so that a read of the database that began
    /// before the change cannot put the old row back; longer than any read of one customer takes.
    /// </summary>
    public TimeSpan ChangeMarkerTimeToLive { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Cache-aside for customer rows, in two levels: this replica's memory in front of Redis, one key per customer. Both
/// hold the stored row (ciphertexts, never plaintext PII).
/// <para>A change puts a short-lived marker in the customer's Redis key and announces its id on the Redis channel
/// <see cref="Channel"/>; every replica drops it from memory when the announcement arrives. A read that missed stores
/// what it loaded only where the key is empty (SET NX): a reader on any replica that loaded the row before the change
/// and stores it after the marker was set is refused, where a plain delete let it put the old row back for the whole
/// lifetime. Memory is used only while that channel is connected:
/// when the connection to Redis fails or comes back, memory is emptied (announcements may have been missed), and a read
/// that overlapped an announcement is not kept, so a reader racing a change never keeps the old row.</para>
/// <para>Redis being down never fails a read: the caller loads from PostgreSQL, the outage is logged once (until Redis
/// answers again) and counted.</para>
/// </summary>
public sealed class CustomerCache : IHostedService, IDisposable
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("customer:v1:invalidated");

    /// <summary>What a customer's key holds for a while after a change (<see cref="CustomerCacheOptions.ChangeMarkerTimeToLive"/>).</summary>
    public const string ChangedMarker = "changed";

    private const string MarkChangedScript = """
        for i, key in ipairs(KEYS) do
          redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
        end
        return #KEYS
        """;

    private static readonly Meter Meter = new("Platform.Customer");
    private static readonly Counter<long> Unavailable = Meter.CreateCounter<long>("platform.customer.cache.unavailable",
        description: "Customer cache operations that failed because Redis did not answer");
    private static readonly Counter<long> Hits = Meter.CreateCounter<long>("platform.customer.cache.hits", description: "Customers answered from Redis");
    private static readonly Counter<long> LocalHits = Meter.CreateCounter<long>("platform.customer.cache.local_hits", description: "Customers answered from the replica's memory");
    private static readonly Counter<long> Misses = Meter.CreateCounter<long>("platform.customer.cache.misses");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private readonly ConcurrentDictionary<Guid, (CustomerProfile Profile, long ExpiresAt)> local = new();
    private readonly IConnectionMultiplexer redis;
    private readonly CustomerCacheOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<CustomerCache> log;
    private readonly long[] changes = new long[256]; // per stripe of customer ids: how many changes were announced
    private int down;
    private long epoch; // how many times the memory level was emptied
    private volatile bool listening;

    public CustomerCache(IConnectionMultiplexer redis, IOptions<CustomerCacheOptions> options, TimeProvider clock, ILogger<CustomerCache> log)
    {
        this.redis = redis;
        this.options = options.Value;
        this.clock = clock;
        this.log = log;
        if (this.options.LocalTimeToLive > TimeSpan.Zero)
        {
            redis.ConnectionFailed += OnConnectionChanged;
            redis.ConnectionRestored += OnConnectionChanged;
        }
    }

    /// <summary>Starts listening for announcements before the service answers (waiting at most 2 s for Redis).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.LocalTimeToLive > TimeSpan.Zero)
        {
            await Task.WhenAny(ListenAsync(), Task.Delay(TimeSpan.FromSeconds(2), cancellationToken));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static RedisKey KeyOf(Guid customerId) => "customer:v1:" + customerId.ToString("N");

    /// <summary>The cached row, or what <paramref name="load"/> answers (cached when found).</summary>
    public async Task<CustomerProfile?> GetOrLoadAsync(Guid customerId, Func<Task<CustomerProfile?>> load)
    {
        var useLocal = listening && redis.IsConnected;
        if (useLocal && local.TryGetValue(customerId, out var entry) && entry.ExpiresAt > clock.GetTimestamp())
        {
            LocalHits.Add(1);
            return entry.Profile;
        }

        var seen = Seen(customerId);
        var cached = await TryAsync("GET", db => db.StringGetAsync(KeyOf(customerId)));
        var changedLately = cached == ChangedMarker;
        if (cached is { HasValue: true } value && !changedLately)
        {
            Hits.Add(1);
            var profile = JsonSerializer.Deserialize<CustomerProfile>((string)value!, Json)!;
            KeepLocally(customerId, profile, seen, useLocal);
            return profile;
        }

        Misses.Add(1);
        var loaded = await load();
        if (loaded is not null && Seen(customerId) == seen)
        {
            if (!changedLately)
            {
                var json = JsonSerializer.Serialize(loaded, Json);
                await TryAsync("SET", db => db.StringSetAsync(KeyOf(customerId), json, options.TimeToLive, When.NotExists));
            }

            KeepLocally(customerId, loaded, seen, useLocal);
        }

        return loaded;
    }

    /// <summary>Drops the customers here, in Redis (marking them changed), and (by announcement) in every replica's memory.</summary>
    public async Task InvalidateAsync(IReadOnlyCollection<Guid> customerIds)
    {
        if (customerIds.Count == 0)
        {
            return;
        }

        DropLocally(customerIds);
        RedisValue[] arguments = [ChangedMarker, (long)options.ChangeMarkerTimeToLive.TotalMilliseconds];
        await TryAsync("EVAL", db => db.ScriptEvaluateAsync(MarkChangedScript, [.. customerIds.Select(KeyOf)], arguments));
        if (options.LocalTimeToLive > TimeSpan.Zero)
        {
            await TryAsync("PUBLISH", db => db.PublishAsync(Channel, string.Join(',', customerIds.Select(id => id.ToString("N")))));
        }
    }

    public void Dispose()
    {
        redis.ConnectionFailed -= OnConnectionChanged;
        redis.ConnectionRestored -= OnConnectionChanged;
    }

    private (long Epoch, long Changes) Seen(Guid customerId) => (Interlocked.Read(ref epoch), Interlocked.Read(ref changes[Stripe(customerId)]));

    private static int Stripe(Guid customerId) => customerId.GetHashCode() & 255;

    private void KeepLocally(Guid customerId, CustomerProfile profile, (long, long) seen, bool useLocal)
    {
        // Not when a change was announced since the read began: what was read may be the row before it.
        if (!useLocal || Seen(customerId) != seen)
        {
            return;
        }

        if (local.Count >= options.LocalEntries)
        {
            local.Clear();
        }

        local[customerId] = (profile, clock.GetTimestamp() + (long)(options.LocalTimeToLive.TotalSeconds * clock.TimestampFrequency));
    }

    private void DropLocally(IEnumerable<Guid> customerIds)
    {
        foreach (var id in customerIds)
        {
            Interlocked.Increment(ref changes[Stripe(id)]);
            local.TryRemove(id, out _);
        }
    }

    private async Task ListenAsync()
    {
        try
        {
            var queue = await redis.GetSubscriber().SubscribeAsync(Channel);
            queue.OnMessage(message =>
            {
                var ids = ((string?)message.Message ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
                DropLocally(ids.Select(id => Guid.TryParseExact(id, "N", out var g) ? g : Guid.Empty));
            });
            listening = true;
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            log.LogWarning(e, "Customer cache cannot listen for changes; answering without its memory level until Redis is back");
        }
    }

    private void OnConnectionChanged(object? sender, ConnectionFailedEventArgs e)
    {
        // Announcements may have been lost while the connection was down: forget everything held in memory.
        Interlocked.Increment(ref epoch);
        local.Clear();
        if (e.ConnectionType == ConnectionType.Subscription && !listening)
        {
            _ = ListenAsync();
        }
    }

    /// <param name="command">The Redis command, for the call's span (<see cref="RedisCalls"/>).</param>
    private async Task<T?> TryAsync<T>(string command, Func<IDatabase, Task<T>> operation)
    {
        try
        {
            var result = await RedisCalls.TracedAsync(command, () => operation(redis.GetDatabase()));
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
