using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Online.Providers;
using Platform.Payment.Online.Providers.Simulator;
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

/// <summary>
/// The wallet simulator, whose statements are unavailable until <see cref="Down"/> is cleared (from the start, so that the
/// daily job, which also runs when the service starts and whenever the clock moves past its interval, pulls nothing before).
/// </summary>
public sealed class StatementOutage(SimulatorProvider simulator) : IOnlinePaymentProvider
{
    private volatile bool down = true;

    public bool Down
    {
        get => down;
        set => down = value;
    }

    public string Name => simulator.Name;

    public bool Supports(PaymentMethod method) => simulator.Supports(method);

    public Task<IssuedOrder> CreateAsync(WalletOrder order, CancellationToken ct) => simulator.CreateAsync(order, ct);

    public Task<WalletPaymentReport> QueryAsync(string providerReference, CancellationToken ct) => simulator.QueryAsync(providerReference, ct);

    public Task CloseAsync(string providerReference, CancellationToken ct) => simulator.CloseAsync(providerReference, ct);

    public Task<ProviderTransferReport> RefundAsync(string providerReference, Guid refundId, decimal amount, CancellationToken ct) =>
        simulator.RefundAsync(providerReference, refundId, amount, ct);

    public Task<ProviderTransferReport?> QueryRefundAsync(Guid refundId, CancellationToken ct) => simulator.QueryRefundAsync(refundId, ct);

    public Task<IReadOnlyList<ProviderStatementLine>> DownloadStatementAsync(DateOnly day, CancellationToken ct) =>
        Down ? throw new HttpRequestException("the statement service is unavailable") : simulator.DownloadStatementAsync(day, ct);
}

/// <summary>A pulling payment service whose wallet provider's statements can be made unavailable.</summary>
public sealed class OutagePullingHost : OnlineHost
{
    public StatementOutage Provider => Payment.Services.GetServices<IOnlinePaymentProvider>().OfType<StatementOutage>().Single();

    protected override IDictionary<string, string?> Extra => new Dictionary<string, string?>
    {
        ["Payment:Reconciliation:PullGatewayStatements"] = "true",
    };

    protected override void AddServices(IServiceCollection services)
    {
        services.AddSingleton<SimulatorProvider>();
        services.Replace(ServiceDescriptor.Singleton<IOnlinePaymentProvider, StatementOutage>());
    }
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

public sealed class FirstStatementPullTests(OutagePullingHost host) : IClassFixture<OutagePullingHost>
{
    [Fact]
    public async Task A_first_pull_that_failed_is_made_up_by_the_next_run()
    {
        // 01:00 UTC: the simulator's statement days are UTC days, the service's are UTC+8 ones; here they are the same.
        host.Clock.Advance(TimeSpan.FromHours(25) - host.Clock.GetUtcNow().TimeOfDay);
        var intent = await host.CreateIntentAsync(OnlineHost.Id(), 10m);
        Assert.Equal(System.Net.HttpStatusCode.OK, await host.PostAsync($"/providers/simulator/orders/{intent.ProviderReference}/pay"));
        var paidOn = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime);

        // The day after the first payment the run asks for its statement, and the provider fails.
        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.RunAsync<ReconciliationJob>();
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains($"Pulling the simulator statement of {paidOn:yyyy-MM-dd} failed", StringComparison.Ordinal));

        host.Clock.Advance(TimeSpan.FromDays(1));
        host.Provider.Down = false;
        await host.RunAsync<ReconciliationJob>();

        var pulled = await host.Payment.QueryAsync<PaymentDb, List<Statement>>(db => db.Set<Statement>().AsNoTracking()
            .Where(s => s.Source == StatementSource.Gateway).OrderBy(s => s.StatementDate).ToListAsync());
        Assert.Equal([paidOn, paidOn.AddDays(1)], pulled.Select(s => s.StatementDate));
        Assert.Equal(1, pulled[0].LineCount);
    }
}
