using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Scheduling;
using Platform.Payment.Collections.Application;
using Platform.Payment.Data;

namespace Platform.Payment.Collections.Jobs;

/// <summary>
/// Every <see cref="CollectionsOptions.JobInterval"/>, on one replica: moves the cases whose next stage (or promise
/// date) has come, then asks billing for the contract changes still pending (retrying the ones that failed).
/// </summary>
public sealed class CollectionsJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<CollectionsOptions> options, ILogger<CollectionsJob> log)
    : ScheduledJob<PaymentDb>(scopes, clock, log)
{
    protected override string Name => "payment.collections";

    protected override TimeSpan Interval => options.Value.JobInterval;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<PaymentDb>();
        int advanced;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            advanced = await services.GetRequiredService<CollectionsDesk>().AdvanceDueAsync(now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        return advanced + await services.GetRequiredService<BillingActions>().RunPendingAsync(ct);
    }
}
