using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Platform.ServiceDefaults.Errors;
using Platform.BuildingBlocks.Privacy;
using StackExchange.Redis;

namespace Platform.BuildingBlocks.Idempotency;

/// <summary>
/// Answers a repeated mutating request with its first answer. The same request_id with the same content gets the
/// stored response; with different content it is refused naming the first differing field. The row is written in the
/// same transaction as the change, under a unique key, so two concurrent twins cannot both apply; Redis is only a
/// fast path for repeats and may be down.
/// </summary>
public sealed class IdempotentRequests<TDb>(TDb db, TimeProvider clock, PiiProtector pii, ILogger<IdempotentRequests<TDb>> log,
    IConnectionMultiplexer? redis = null)
    where TDb : DbContext
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(24);

    public async Task<TResponse> ExecuteAsync<TRequest, TResponse>(
        string requestId, TRequest request, Func<CancellationToken, Task<TResponse>> handle, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var key = typeof(TRequest).Name + ":" + requestId;
        if (await FindAsync(key, ct) is { } earlier)
        {
            return Replay<TResponse>(earlier, Fingerprint(request));
        }

        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var response = await handle(ct);
            var row = new IdempotentRequest
            {
                Key = key,
                Request = Fingerprint(request),
                Response = response.ToByteArray(),
                CreatedAt = clock.GetUtcNow(),
            };
            db.Set<IdempotentRequest>().Add(row);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            await CacheAsync(row);
            return response;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A concurrent request with the same key may have committed first (our insert then fails on the key,
            // or the handler on a unique rule the twin's change now holds): answer as it did.
            if (await FindAfterFailureAsync(key, ct) is { } twin)
            {
                return Replay<TResponse>(twin, Fingerprint(request));
            }

            throw;
        }
    }

    private string Fingerprint(IMessage request) => RequestFingerprint.Of(request, pii.FingerprintKey);

    private static TResponse Replay<TResponse>(IdempotentRequest earlier, string fingerprint)
        where TResponse : IMessage<TResponse>, new()
    {
        if (RequestFingerprint.FirstDifference(earlier.Request, fingerprint) is { } field)
        {
            throw ValidationException.For(field,
                "differs from the first request with this request_id; use a new request_id for a different request",
                "IDEMPOTENCY_KEY_REUSED");
        }

        var response = new TResponse();
        response.MergeFrom(earlier.Response);
        return response;
    }

    private async Task<IdempotentRequest?> FindAsync(string key, CancellationToken ct)
    {
        if (await FromCacheAsync(key) is { } cached)
        {
            return cached;
        }

        var stored = await db.Set<IdempotentRequest>().AsNoTracking().SingleOrDefaultAsync(r => r.Key == key, ct);
        if (stored is not null)
        {
            await CacheAsync(stored);
        }

        return stored;
    }

    private async Task<IdempotentRequest?> FindAfterFailureAsync(string key, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.Set<IdempotentRequest>().AsNoTracking().SingleOrDefaultAsync(r => r.Key == key, ct);
    }

    private async Task<IdempotentRequest?> FromCacheAsync(string key)
    {
        if (redis is null)
        {
            return null;
        }

        try
        {
            var values = await redis.GetDatabase().HashGetAsync(CacheKey(key), ["req", "res"]);
            return values[0].HasValue && values[1].HasValue
                ? new IdempotentRequest { Key = key, Request = (string)values[0]!, Response = (byte[])values[1]! }
                : null;
        }
        catch (RedisException e)
        {
            log.LogDebug(e, "Idempotency cache unavailable; reading the database");
            return null;
        }
    }

    private async Task CacheAsync(IdempotentRequest row)
    {
        if (redis is null)
        {
            return;
        }

        try
        {
            var cacheKey = CacheKey(row.Key);
            var batch = redis.GetDatabase().CreateBatch();
            var set = batch.HashSetAsync(cacheKey, [new("req", row.Request), new("res", row.Response)]);
            var expire = batch.KeyExpireAsync(cacheKey, CacheFor);
            batch.Execute();
            await Task.WhenAll(set, expire);
        }
        catch (RedisException e)
        {
            log.LogDebug(e, "Idempotency cache unavailable; not caching");
        }
    }

    private static RedisKey CacheKey(string key) => "idem:" + typeof(TDb).Name + ":" + key;
}
