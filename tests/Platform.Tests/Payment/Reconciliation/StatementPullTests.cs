using Microsoft.EntityFrameworkCore;
using Platform.Payment.Data;
using Platform.Payment.Reconciliation.Domain;
using Platform.Payment.Reconciliation.Jobs;
using Platform.Tests.Payment.Online;

namespace Platform.Tests.Payment.Reconciliation;

/// <summary>The payment service with the daily run pulling the wallet simulator's statements.</summary>
public sealed class PullingHost : OnlineHost
{
    protected override IDictionary<string, string?> Extra => new Dictionary<string, string?>
    {
        ["Payment:Reconciliation:PullGatewayStatements"] = "true",
    };
}

public sealed class StatementPullTests(PullingHost host) : IClassFixture<PullingHost>
{
    private Task<List<DateOnly>> PulledDaysAsync() => host.Payment.QueryAsync<PaymentDb, List<DateOnly>>(db => db.Set<Statement>()
        .Where(s => s.Source == StatementSource.Gateway).OrderBy(s => s.StatementDate).Select(s => s.StatementDate).ToListAsync());

    [Fact]
    public async Task Days_a_missed_run_did_not_pull_are_pulled_by_the_next_run_each_once()
    {
        await host.RunAsync<ReconciliationJob>(); // yesterday's statement, the provider's first
        var first = Assert.Single(await PulledDaysAsync());

        // The service was down for the next three daily runs.
        host.Clock.Advance(TimeSpan.FromDays(4));
        await host.RunAsync<ReconciliationJob>();
        await host.RunAsync<ReconciliationJob>();

        Assert.Equal(Enumerable.Range(0, 5).Select(first.AddDays), await PulledDaysAsync());
    }
}
