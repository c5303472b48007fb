using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Platform.BuildingBlocks.Caching;
using Platform.BuildingBlocks.Data;
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
/// <param name="commits">When the service registers it, staged requests are saved together with others arriving at the same time.</param>
public sealed class IdempotentRequests<TDb>(TDb db, TimeProvider clock, PiiProtector pii, ILogger<IdempotentRequests<TDb>> log,
    IConnectionMultiplexer? redis = null, StagedCommits<TDb>? commits = null)
    where TDb : DbContext
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(24);

    public Task<TResponse> ExecuteAsync<TRequest, TResponse>(
        string requestId, TRequest request, Func<CancellationToken, Task<TResponse>> handle, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new() =>
        ExecuteAsync(requestId, request, handle, subjectsOf: null, ct);

    /// <param name="subjectsOf">
    /// The records an answer carries personal data of (for example <c>customers/{id}</c>): erasing one of them forgets
    /// the stored answer (<see cref="ForgetAsync"/>).
    /// </param>
    public async Task<TResponse> ExecuteAsync<TRequest, TResponse>(
        string requestId, TRequest request, Func<CancellationToken, Task<TResponse>> handle, Func<TResponse, IEnumerable<string>>? subjectsOf,
        CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var key = typeof(TRequest).Name + ":" + requestId;
        if (await FindAsync(key, ct) is { } earlier)
        {
            return Replay<TResponse>(earlier, Fingerprint(request));
        }

        return await AnswerAsync(key, request, handle, subjectsOf, staged: false, ct);
    }

    /// <summary>
    /// Like <see cref="ExecuteAsync{TRequest,TResponse}(string,TRequest,Func{CancellationToken,Task{TResponse}},CancellationToken)"/>
    /// for a request whose whole effect is a set of changes staged on the unit of work: <paramref name="stage"/> adds
    /// them (it may read, it must not save or act outside the database) and answers. The changes and the stored answer
    /// are then saved by one SaveChanges, and the database is not asked beforehand whether the key was seen: a repeat
    /// that the cache does not know fails on the key, rolls back, and gets the first answer. Two round trips instead
    /// of six for a new request; the hot recording paths use it. Where the service registers
    /// <see cref="StagedCommits{TDb}"/>, the save is shared with the staged requests arriving at the same time (one
    /// transaction for all of them; a failure of the shared save is retried alone, so it reaches only its own request).
    /// </summary>
    public async Task<TResponse> ExecuteStagedAsync<TRequest, TResponse>(
        string requestId, TRequest request, Func<CancellationToken, Task<TResponse>> stage, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var key = typeof(TRequest).Name + ":" + requestId;
        if (await FromCacheAsync(key) is { } cached)
        {
            return Replay<TResponse>(cached, Fingerprint(request));
        }

        return await AnswerAsync(key, request, stage, subjectsOf: null, staged: true, ct);
    }

    /// <summary>
    /// Runs <paramref name="handle"/> and stores its answer under <paramref name="key"/> in the same transaction: an
    /// explicit one around the handler's own saves, or (<paramref name="staged"/>) the one SaveChanges that writes the
    /// staged changes and the answer together.
    /// </summary>
    private async Task<TResponse> AnswerAsync<TRequest, TResponse>(string key, TRequest request, Func<CancellationToken, Task<TResponse>> handle,
        Func<TResponse, IEnumerable<string>>? subjectsOf, bool staged, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        try
        {
            await using var tx = staged ? null : await db.BeginWholeTransactionAsync(ct);
            var response = await handle(ct);
            var row = Row(key, request, response, subjectsOf);
            db.Set<IdempotentRequest>().Add(row);
            if (staged && commits is not null)
            {
                await commits.SaveAsync(db, ct);
            }
            else
            {
                await db.SaveChangesAsync(ct);
            }

            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }

            Cache(row);
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

    private IdempotentRequest Row<TResponse>(string key, IMessage request, TResponse response, Func<TResponse, IEnumerable<string>>? subjectsOf)
        where TResponse : IMessage<TResponse> => new()
        {
            Key = key,
            Request = Fingerprint(request),
            Response = response.ToByteArray(),
            CreatedAt = clock.GetUtcNow(),
            Subjects = subjectsOf?.Invoke(response).Distinct().ToArray() is { Length: > 0 } subjects ? subjects : null,
        };

    /// <summary>
    /// Forgets every stored answer that carries <paramref name="subject"/>'s data, inside the caller's transaction (the
    /// erasure's): the answer is dropped and a replay of its request is refused with FAILED_PRECONDITION
    /// <c>ANSWER_ERASED</c> instead of applying it again. Cached copies are removed now; call
    /// <see cref="UncacheForgottenAsync"/> after the commit too, for a copy a concurrent reader cached meanwhile.
    /// </summary>
    public async Task<int> ForgetAsync(string subject, CancellationToken ct)
    {
        var keys = await db.Set<IdempotentRequest>().Where(r => r.Subjects!.Contains(subject) && r.ErasedAt == null).Select(r => r.Key).ToListAsync(ct);
        if (keys.Count > 0)
        {
            var now = clock.GetUtcNow();
            await db.Set<IdempotentRequest>().Where(r => keys.Contains(r.Key))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Response, []).SetProperty(r => r.ErasedAt, now), ct);
            await UncacheAsync(keys);
        }

        return keys.Count;
    }

    /// <summary>Removes the cached copies of the answers forgotten for <paramref name="subject"/>.</summary>
    public async Task UncacheForgottenAsync(string subject, CancellationToken ct) =>
        await UncacheAsync(await db.Set<IdempotentRequest>().AsNoTracking().Where(r => r.Subjects!.Contains(subject) && r.ErasedAt != null)
            .Select(r => r.Key).ToListAsync(ct));

    private async Task UncacheAsync(List<string> keys)
    {
        if (redis is null || keys.Count == 0)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().KeyDeleteAsync(keys.Select(CacheKey).ToArray());
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // The cached copy then lives out its expiry; logged loudly because it holds an erased subject's answer.
            log.LogWarning(e, "Idempotency cache unavailable: {Count} forgotten answers stay cached until they expire", keys.Count);
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

        if (earlier.ErasedAt is not null)
        {
            throw new PreconditionFailedException("ANSWER_ERASED", "requests/" + earlier.Key,
                "the record this request changed has since been erased, and its answer with it");
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
        if (stored is { ErasedAt: null })
        {
            Cache(stored);
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
            var values = await RedisCalls.TracedAsync("HMGET", () => redis.GetDatabase().HashGetAsync(CacheKey(key), ["req", "res"]));
            return values[0].HasValue && values[1].HasValue
                ? new IdempotentRequest { Key = key, Request = (string)values[0]!, Response = (byte[])values[1]! }
                : null;
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            log.LogDebug(e, "Idempotency cache unavailable; reading the database");
            return null;
        }
    }

    /// <summary>
    /// Keeps the answer in Redis without waiting for it: the database row is the guarantee, Redis only answers repeats
    /// sooner. Commands on one connection run in order, so a repeat read after this through the same multiplexer finds it.
    /// </summary>
    private void Cache(IdempotentRequest row)
    {
        if (redis is null)
        {
            return;
        }

        try
        {
            var cacheKey = CacheKey(row.Key);
            var cache = redis.GetDatabase();
            cache.HashSet(cacheKey, [new("req", row.Request), new("res", row.Response)], CommandFlags.FireAndForget);
            cache.KeyExpire(cacheKey, CacheFor, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            log.LogDebug(e, "Idempotency cache unavailable; not caching");
        }
    }

    private static RedisKey CacheKey(string key) => "idem:" + typeof(TDb).Name + ":" + key;
}
