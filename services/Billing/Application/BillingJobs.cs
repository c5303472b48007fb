using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Scheduling;
using Platform.Contracts.Events;

namespace Platform.Billing.Application;

/// <summary>Expiry, expiry reminders and the runway watch, every <see cref="BillingOptions.WatchInterval"/>, on one replica.</summary>
public sealed class PrepaidWatchJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<BillingOptions> options, ILogger<PrepaidWatchJob> log)
    : ScheduledJob<BillingDb>(scopes, clock, log)
{
    protected override string Name => "billing.prepaid-watch";

    protected override TimeSpan Interval => options.Value.WatchInterval;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var watch = services.GetRequiredService<PrepaidWatch>();
        return await watch.ExpireAsync(now, ct) + await watch.RemindAsync(now, ct) + await watch.WatchRunwayAsync(now, ct);
    }
}

/// <summary>
/// Checks the whole ledger's invariants every <see cref="BillingOptions.InvariantCheckInterval"/>; a broken one is
/// logged as an error, counted, and announced as LedgerInvariantBroken (the alarm).
/// </summary>
public sealed class LedgerCheckJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<BillingOptions> options, ILogger<LedgerCheckJob> log,
    IMeterFactory meters) : ScheduledJob<BillingDb>(scopes, clock, log)
{
    private readonly Counter<long> violations = meters.Create("Platform.Billing").CreateCounter<long>("billing.ledger.invariant_violations",
        description: "Broken ledger invariants found by the scheduled check");

    protected override string Name => "billing.ledger-check";

    protected override TimeSpan Interval => options.Value.InvariantCheckInterval;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var check = await services.GetRequiredService<LedgerQueries>().CheckAsync(null, ct);
        if (check.Violations.Count > 0)
        {
            violations.Add(check.Violations.Count);
            log.LogError("Ledger invariants broken: {Count}; first: {First}", check.Violations.Count, check.Violations[0]);
            var db = services.GetRequiredService<BillingDb>();
            db.Enqueue(new LedgerInvariantBroken(Guid.CreateVersion7(), now, check.Violations.Count, check.Violations.Take(20).ToList()), services.GetRequiredService<TimeProvider>());
            await db.SaveChangesAsync(ct);
        }

        return check.Violations.Count;
    }
}
