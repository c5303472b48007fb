using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Billing.Ledger;

/// <summary>
/// Transfer RPCs that arrive together share commits (group commit): each caller still gets the answer of its own
/// transfer, as if it had been applied alone.
/// </summary>
public sealed class LedgerCommitTests(BillingHost host) : IClassFixture<BillingHost>
{
    private static CallOptions System => Tokens.As(Roles.Service);

    private async Task<(TransferResult? Result, RpcException? Error)> SendAsync(TransferRequest request)
    {
        try
        {
            return (await host.Ledger.TransferAsync(request, System), null);
        }
        catch (RpcException e)
        {
            return (null, e);
        }
    }

    private static void RefusedWith(RpcException? e, StatusCode status, string reason, string? field = null)
    {
        Assert.NotNull(e);
        Assert.Equal(status, e.StatusCode);
        var status0 = e.GetRpcStatus()!;
        Assert.Equal(reason, status0.GetDetail<ErrorInfo>().Reason);
        if (field is not null)
        {
            Assert.Contains(status0.GetDetail<BadRequest>().FieldViolations, v => v.Field == field);
        }
    }

    [Fact]
    public async Task Transfers_arriving_together_are_answered_one_by_one_and_each_applies_once()
    {
        var spenders = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            spenders.Add(await host.CustomerWithDepositAsync(100m));
        }

        var rich = await host.CustomerWithDepositAsync(1000m);
        var (repeated, differing, shared) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());

        var requests = spenders.SelectMany(c => Enumerable.Range(0, 4).Select(_ => BillingHost.Consume(c, 30m))) // 3 fit in 100, the 4th does not
            .Concat(Enumerable.Range(0, 3).Select(_ => BillingHost.Consume(rich, 20m, repeated)))
            .Concat([BillingHost.Consume(rich, 5m, differing), BillingHost.Consume(rich, 6m, differing)])
            .Concat([BillingHost.Consume(spenders[0], 1m, shared), BillingHost.Consume(rich, 1m, shared)])
            .ToList();
        var answers = await Task.WhenAll(requests.Select(SendAsync));
        var spending = answers.Take(20).ToList();
        var repeats = answers.Skip(20).Take(3).ToList();
        var differ = answers.Skip(23).Take(2).ToList();
        var sharedId = answers.Skip(25).Take(2).ToList();

        // Each spender: three of its four transfers applied, the fourth refused; one more of 1 when it won the shared id.
        var sharedWinner = sharedId[0].Result is not null ? spenders[0] : rich;
        for (var i = 0; i < spenders.Count; i++)
        {
            var outcomes = spending.Skip(i * 4).Take(4).ToList();
            Assert.Equal(3, outcomes.Count(o => o.Result is not null));
            RefusedWith(Assert.Single(outcomes, o => o.Result is null).Error, StatusCode.FailedPrecondition, "INSUFFICIENT_BALANCE");
            Assert.Equal(sharedWinner == spenders[i] ? 9m : 10m, await host.AvailableAsync(spenders[i]));
            await host.AssertSoundAsync(spenders[i]);
        }

        // The same id three times: all answered OK, applied once.
        Assert.All(repeats, r => Assert.NotNull(r.Result));
        Assert.Single(repeats, r => !r.Result!.Replayed);

        // The same id with other content: one applied, the other refused naming the amount.
        Assert.Single(differ, d => d.Result is not null);
        RefusedWith(Assert.Single(differ, d => d.Result is null).Error, StatusCode.InvalidArgument, "TRANSFER_ID_REUSED", "legs[0].amount");
        var spentOnDiffering = differ[0].Result is not null ? 5m : 6m;

        // One id for two customers: the first applied, the other refused naming the customer.
        Assert.Single(sharedId, s => s.Result is not null);
        RefusedWith(Assert.Single(sharedId, s => s.Result is null).Error, StatusCode.InvalidArgument, "TRANSFER_ID_REUSED", "customer_id");

        Assert.Equal(1000m - 20m - spentOnDiffering - (sharedWinner == rich ? 1m : 0m), await host.AvailableAsync(rich));
        await host.AssertSoundAsync(rich);

        // They did share commits: a commit stamps all its transfers with one time.
        var customers = spenders.Append(rich).ToList();
        var largestCommit = await host.Billing.QueryAsync<BillingDb, int>(db => db.Set<LedgerTransferRow>()
            .Where(t => customers.Contains(t.CustomerId) && t.Code == "prepaid.consumed")
            .GroupBy(t => t.AppliedAt).Select(g => g.Count()).MaxAsync());
        Assert.True(largestCommit > 1, "no two of the 24 parallel transfers shared a commit");
    }

    [Fact]
    public async Task A_commit_that_fails_as_a_whole_answers_every_caller_from_its_own_transaction()
    {
        var customer = await host.CustomerWithDepositAsync(100m);
        var other = Guid.CreateVersion7();
        var taken = Guid.CreateVersion7();

        // Another transaction inserts a transfer with the id first and commits only once the ledger's commit waits on it,
        // so that commit's insert fails on the id as a whole.
        var db = host.Billing.NewDb<BillingDb>(out var scope);
        using (scope)
        {
            await using var blocker = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO ledger_transfers (id, customer_id, code, legs, applied_at) VALUES ({taken}, {other}, 'test.blocker', '[]'::jsonb, now())");

            var sends = new[] { SendAsync(BillingHost.Consume(customer, 10m, taken)) }
                .Concat(Enumerable.Range(0, 5).Select(_ => SendAsync(BillingHost.Consume(customer, 10m)))).ToList();
            // The commit holding the taken id waits on the blocker: its insert waits for the blocker's transaction.
            await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, int>(other => other.Database.SqlQuery<int>($"""
                SELECT count(*)::int AS "Value" FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ledger_transfers%'
                """).SingleAsync()), n => n >= 1, what: "the ledger's commit to wait on the blocker");
            Assert.False(sends[0].IsCompleted);
            await blocker.CommitAsync();
            var answers = await Task.WhenAll(sends);

            RefusedWith(answers[0].Error, StatusCode.InvalidArgument, "TRANSFER_ID_REUSED", "customer_id");
            Assert.All(answers.Skip(1), a => Assert.NotNull(a.Result));
        }

        Assert.Equal(50m, await host.AvailableAsync(customer));
        await host.AssertSoundAsync(customer);
    }
}
