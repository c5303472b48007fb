using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Scheduling;
using Platform.Payment.Checks.Application;
using Platform.Payment.Data;

namespace Platform.Payment.Checks.Jobs;

/// <summary>
/// Every <see cref="ChecksOptions.RecheckInterval"/>, on one replica: the payer re-check (<see cref="PayerRecheck"/>). The
/// replica remembers where its last pass ended, and the next one it runs goes on from there.
/// </summary>
public sealed class PayerRecheckJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ChecksOptions> options, ILogger<PayerRecheckJob> log)
    : ScheduledJob<PaymentDb>(scopes, clock, log)
{
    protected override string Name => "payment.payer-recheck";

    protected override TimeSpan Interval => options.Value.RecheckInterval;

    private Guid? resumeAfter;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        (var settled, resumeAfter) = await services.GetRequiredService<PayerRecheck>().RunAsync(resumeAfter, ct);
        return settled;
    }
}
