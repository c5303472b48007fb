using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.Testing;
using static Platform.Tests.Payment.Recording.RecordingHost;

namespace Platform.Tests.Payment.Recording;

/// <summary>
/// The group commit of staged requests (<see cref="StagedCommits{TDb}"/>), on the payment database: requests that
/// arrive while a commit is busy share the next one, and a failure of a shared commit reaches only the request it
/// belongs to, the others being saved once each.
/// </summary>
public sealed class StagedCommitTests(RecordingHost host) : IClassFixture<RecordingHost>
{
    [Fact]
    public async Task Waiting_requests_share_one_commit_and_a_failed_one_fails_alone_while_the_others_are_saved_once()
    {
        var queue = new StagedCommits<PaymentDb>(host.Payment.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new StagedCommitsOptions { Writers = 1, BatchSize = 64 }), NullLogger<StagedCommits<PaymentDb>>.Instance);
        await queue.StartAsync(CancellationToken.None);
        var run = Guid.NewGuid().ToString("N");
        try
        {
            // Another transaction holds key "taken" uncommitted: the writer's first commit waits on it, and the rest gather.
            await using var other = await OpenAsync();
            await using (var tx = await other.BeginTransactionAsync())
            {
                await InsertKeyAsync(other, tx, $"{run}:taken");
                var first = queue.CommitAsync(Unit(run, "taken"), CancellationToken.None);
                await WaitUntilAsync(() => queue.Counts.Batches == 1);
                var innocent = Enumerable.Range(0, 10).Select(i => queue.CommitAsync(Unit(run, $"a{i}"), CancellationToken.None)).ToList();
                var twin = queue.CommitAsync(Unit(run, "taken"), CancellationToken.None);
                await WaitUntilAsync(() => queue.Waiting == 11);
                await tx.CommitAsync();

                await Assert.ThrowsAsync<DbUpdateException>(() => first);
                await Assert.ThrowsAsync<DbUpdateException>(() => twin);
                var saved = await Task.WhenAll(innocent);
                Assert.All(saved, rows => Assert.Equal(2, rows));
            }

            // The batch of eleven failed on the twin; the ten were then saved one by one: once each, audit ids drawn anew.
            Assert.Equal((2L, 2L, 12L), queue.Counts);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{run}:a{i}").Append($"{run}:taken").Order(), await KeysAsync(run));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{run}:a{i}").Order(), await AuditedAsync(run));

            // Without a failure, what gathered behind a busy commit is saved by one commit.
            await using (var tx = await other.BeginTransactionAsync())
            {
                await InsertKeyAsync(other, tx, $"{run}:held");
                var held = queue.CommitAsync(Unit(run, "held"), CancellationToken.None);
                await WaitUntilAsync(() => queue.Counts.Batches == 3);
                var gathered = Enumerable.Range(0, 10).Select(i => queue.CommitAsync(Unit(run, $"b{i}"), CancellationToken.None)).ToList();
                await WaitUntilAsync(() => queue.Waiting == 10);
                await tx.RollbackAsync();

                Assert.Equal(2, await held);
                await Task.WhenAll(gathered);
            }

            Assert.Equal((4L, 2L, 23L), queue.Counts);
            Assert.Equal(21, (await AuditedAsync(run)).Count);
        }
        finally
        {
            await queue.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Concurrent_payments_with_twins_among_them_are_each_recorded_once_with_one_announcement()
    {
        await host.RecordAsync(Cash(Id(), 1m)); // a fresh host's first call compiles the path; the burst below is about commits
        var requests = Enumerable.Range(0, 24).Select(i => Cash(Id(), 100m + i)).ToList();
        var twinned = requests[7];

        var answers = await Task.WhenAll(requests.Concat(Enumerable.Range(0, 3).Select(_ => twinned.Clone()))
            .Select(r => host.RecordAsync(r)));

        Assert.Equal(24, answers.Select(a => a.PaymentId).Distinct().Count());
        var customers = requests.Select(r => Guid.Parse(r.CustomerId)).ToList();
        Assert.Equal(24, await host.Payment.QueryAsync<PaymentDb, int>(db => db.Payments.CountAsync(p => customers.Contains(p.CustomerId!.Value))));
        foreach (var (request, answer) in requests.Zip(answers))
        {
            Assert.Equal(request.CustomerId, answer.CustomerId);
            Assert.Single(await host.OutboxAsync("PaymentReceived", answer.PaymentId));
        }
    }

    /// <summary>What a staged request adds: its idempotent answer and an audit entry (its id drawn by the database).</summary>
    private static List<object> Unit(string run, string name) =>
    [
        new IdempotentRequest { Key = $"{run}:{name}", Request = "{}", Response = [1, 2], CreatedAt = DateTimeOffset.UtcNow },
        new AuditEntry { At = DateTimeOffset.UtcNow, Actor = "test", Action = "staged.test", Subject = $"{run}:{name}", Details = "{}" },
    ];

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(host.Payment.Services.GetRequiredService<IConfiguration>().GetConnectionString("paymentdb"));
        await connection.OpenAsync();
        return connection;
    }

    private static async Task InsertKeyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string key)
    {
        await using var insert = new NpgsqlCommand("INSERT INTO idempotent_requests (key, request, response, created_at) VALUES ($1, '{}', '\\x00', now())", connection, tx);
        insert.Parameters.Add(new NpgsqlParameter { Value = key });
        await insert.ExecuteNonQueryAsync();
    }

    private Task<List<string>> KeysAsync(string run) => host.Payment.QueryAsync<PaymentDb, List<string>>(db =>
        db.Set<IdempotentRequest>().Where(r => r.Key.StartsWith(run)).Select(r => r.Key).OrderBy(k => k).ToListAsync());

    private Task<List<string>> AuditedAsync(string run) => host.Payment.QueryAsync<PaymentDb, List<string>>(db =>
        db.Set<AuditEntry>().Where(a => a.Subject.StartsWith(run)).Select(a => a.Subject).OrderBy(s => s).ToListAsync());

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Eventually.Until(condition, TimeSpan.FromSeconds(10), "the queue to reach the expected state");
}
