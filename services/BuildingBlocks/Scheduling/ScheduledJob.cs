using Platform.BuildingBlocks.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Platform.BuildingBlocks.Scheduling;

/// <summary>
/// A job that runs every <see cref="Interval"/> on exactly one replica at a time: each pass first takes a PostgreSQL
/// session advisory lock named after the job on the service's database; a replica that cannot take it skips the
/// pass. Time comes from <see cref="TimeProvider"/> (tests pass a fake clock and call <see cref="RunOnceAsync"/>).
/// A failed pass is logged and retried at the next interval.
/// </summary>
public abstract class ScheduledJob<TDb>(IServiceScopeFactory scopes, TimeProvider clock, ILogger log) : BackgroundService where TDb : DbContext
{
    /// <summary>The job's name; also names its advisory lock.</summary>
    protected abstract string Name { get; }

    protected abstract TimeSpan Interval { get; }

    /// <summary>One pass, in its own scope; answers how many items it handled (for the log).</summary>
    protected abstract Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Runs one pass now if no other replica is running this job; answers the items handled, or null when another
    /// replica holds the lock.
    /// </summary>
    public async Task<int?> RunOnceAsync(CancellationToken ct)
    {
        var (ran, handled) = await RunLockedAsync(RunAsync, ct);
        return ran ? handled : null;
    }

    /// <summary>
    /// Runs <paramref name="pass"/> in its own scope under the job's lock; answers whether it ran (false: another
    /// replica holds the lock) and what it answered.
    /// </summary>
    protected async Task<(bool Ran, T Result)> RunLockedAsync<T>(Func<IServiceProvider, DateTimeOffset, CancellationToken, Task<T>> pass,
        CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        await using var lockConnection = new NpgsqlConnection(db.Database.GetConnectionString());
        await lockConnection.OpenAsync(ct);
        var key = AdvisoryLocks.KeyOf("job:" + Name);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", lockConnection) { Parameters = { new() { Value = key } } })
        {
            if (!(bool)(await take.ExecuteScalarAsync(ct))!)
            {
                return (false, default!);
            }
        }

        try
        {
            return (true, await pass(scope.ServiceProvider, clock.GetUtcNow(), ct));
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", lockConnection) { Parameters = { new() { Value = key } } };
            await release.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                var handled = await RunOnceAsync(stoppingToken);
                if (handled > 0)
                {
                    log.LogInformation("{Job} handled {Count} items", Name, handled);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "{Job} pass failed; it runs again in {Interval}", Name, Interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
