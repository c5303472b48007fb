using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Scheduling;
using Platform.Testing;

namespace Platform.Tests.Data;

public sealed class LockDb(DbContextOptions<LockDb> options) : DbContext(options);

/// <summary>A job whose pass waits for the test, or fails.</summary>
public sealed class GatedJob(IServiceScopeFactory scopes) : ScheduledJob<LockDb>(scopes, TimeProvider.System, NullLogger.Instance)
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<int> Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override string Name => "gated";

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        Entered.TrySetResult();
        return await Gate.Task;
    }
}

/// <summary>
/// Pooled connections go back to the pool without Npgsql's session reset (<see cref="PooledConnections"/>), so a session
/// advisory lock is free again only because the job releases it: these tests hold the job to that.
/// </summary>
public sealed class ScheduledJobLockTests
{
    [Fact]
    public async Task A_pass_holds_the_job_lock_while_it_runs_and_frees_it_when_it_ends_or_fails_with_its_connection_back_in_the_pool()
    {
        var infra = await Infrastructure.SharedAsync();
        var database = await infra.NewDatabaseAsync("joblock");
        await using var services = new ServiceCollection()
            .AddDbContextPool<LockDb>(o => o.UseNpgsql(PooledConnections.Tune(database)))
            .BuildServiceProvider();
        var key = AdvisoryLocks.KeyOf("job:gated");

        var first = new GatedJob(services.GetRequiredService<IServiceScopeFactory>());
        var running = first.RunOnceAsync(CancellationToken.None);
        await first.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(await new GatedJob(services.GetRequiredService<IServiceScopeFactory>()).RunOnceAsync(CancellationToken.None));
        Assert.False(await FreeElsewhereAsync(database, key));
        first.Gate.SetResult(3);
        Assert.Equal(3, await running);
        Assert.True(await FreeElsewhereAsync(database, key));

        var failing = new GatedJob(services.GetRequiredService<IServiceScopeFactory>());
        failing.Gate.SetException(new InvalidOperationException("the pass failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.RunOnceAsync(CancellationToken.None));
        Assert.True(await FreeElsewhereAsync(database, key));

        // The pooled connection that held the lock serves the next pass, which takes the lock afresh.
        var next = new GatedJob(services.GetRequiredService<IServiceScopeFactory>());
        next.Gate.SetResult(1);
        Assert.Equal(1, await next.RunOnceAsync(CancellationToken.None));
        Assert.True(await FreeElsewhereAsync(database, key));
    }

    /// <summary>Whether another session (an unpooled connection) can take the lock; it lets it go at once.</summary>
    private static async Task<bool> FreeElsewhereAsync(string database, long key)
    {
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", other) { Parameters = { new() { Value = key } } };
        var taken = (bool)(await take.ExecuteScalarAsync())!;
        if (taken)
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", other) { Parameters = { new() { Value = key } } };
            await release.ExecuteScalarAsync();
        }

        return taken;
    }
}
