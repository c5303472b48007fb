using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Scheduling;
using Platform.Payment.Data;
using Platform.Payment.Payouts.Application;
using Platform.Payment.Payouts.Domain;

namespace Platform.Payment.Payouts.Jobs;

/// <summary>
/// Sends every payout in flight (requested, or submitted and not yet settled) to its provider when it is due
/// (<see cref="RefundPayout.NextCheckAt"/>), the longest due first: a new payout at once, one the provider left in flight
/// again later, so transfers pending at the bank never keep new payouts from being sent. Payouts live in the database,
/// so one in flight when the service stopped is picked up by the next pass after a restart.
/// </summary>
public sealed class PayoutJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<PayoutsOptions> options, ILogger<PayoutJob> log)
    : ScheduledJob<PaymentDb>(scopes, clock, log)
{
    protected override string Name => "payment.payouts";

    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<PaymentDb>();
        var desk = services.GetRequiredService<PayoutDesk>();
        var open = await db.Set<RefundPayout>().AsNoTracking()
            .Where(p => (p.State == PayoutState.Requested || p.State == PayoutState.Submitted) && p.NextCheckAt <= now)
            .OrderBy(p => p.NextCheckAt).ThenBy(p => p.RefundId)
            .Take(options.Value.Batch).Select(p => p.RefundId).ToListAsync(ct);
        var settled = 0;
        foreach (var refundId in open)
        {
            try
            {
                settled += await desk.SendAsync(refundId, ct) ? 1 : 0;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Changed since read (only a second sender could): its outcome stands; the next pass reads it again.
            }
        }

        return settled;
    }
}
