using Microsoft.Extensions.Options;

namespace Platform.Customer.Engagement.Application;

public sealed class SchedulerOptions
{
    public const string Section = "Engagement:Scheduler";

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How far back the scan looks for payments that left the 12-month window; longer than the interval so a missed
    /// pass or a short outage is caught up.
    /// </summary>
    public TimeSpan TierLookback { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// At most this many customers' tiers are recomputed a pass as the window moves, the rest on the next passes: their
    /// activity records stay locked until the pass commits, so their events wait for it.
    /// </summary>
    public int TierBatchSize { get; set; } = 500;
}

/// <summary>Runs <see cref="EngagementScan"/> on an interval measured on the injected clock.</summary>
public sealed class EngagementScheduler(IServiceScopeFactory scopes, TimeProvider clock, IOptions<SchedulerOptions> options, ILogger<EngagementScheduler> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<EngagementScan>().RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Engagement scan failed; retrying at the next interval");
            }

            try
            {
                await Task.Delay(options.Value.Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
