using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Scheduling;
using Platform.Payment.Data;
using Platform.Payment.Online.Domain;
using Platform.Payment.Online.Providers;
using Platform.Payment.Reconciliation.Application;
using Platform.Payment.Reconciliation.Domain;

namespace Platform.Payment.Reconciliation.Jobs;

/// <summary>
/// The daily run: (optionally) pulls each wallet provider's statement of the previous day, and of the days before it
/// whose statement a failed or missed run left unpulled (<see cref="ReconciliationOptions.PullDays"/>), then reconciles
/// every statement not yet reconciled and, again, every statement of the previous day (payments of that day recorded
/// after its first reconciliation now find their lines).
/// </summary>
public sealed class ReconciliationJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ReconciliationOptions> options, ILogger<ReconciliationJob> log)
    : ScheduledJob<PaymentDb>(scopes, clock, log)
{
    public const string Actor = "system:reconciliation";

    protected override string Name => "payment.reconciliation";

    protected override TimeSpan Interval => options.Value.RunInterval;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<PaymentDb>();
        var desk = services.GetRequiredService<ReconciliationDesk>();
        var yesterday = DateOnly.FromDateTime(now.ToOffset(options.Value.UtcOffset).DateTime).AddDays(-1);
        if (options.Value.PullGatewayStatements)
        {
            await PullAsync(services, db, desk, yesterday, ct);
        }

        var due = await db.Set<Statement>().AsNoTracking()
            .Where(s => s.Status == StatementStatus.Imported || s.StatementDate == yesterday)
            .OrderBy(s => s.ImportedAt).Select(s => s.Id).ToListAsync(ct);
        foreach (var id in due)
        {
            await desk.ReconcileAsync(id, Actor, ct);
            db.ChangeTracker.Clear();
        }

        return due.Count;
    }

    /// <summary>
    /// Imports each provider's statement of every day from <see cref="ReconciliationOptions.PullDays"/> back to <paramref name="yesterday"/>
    /// that is not there yet. For a provider with no statement yet, the days start with its first intent (so a first
    /// pull that failed is made up as any other), or yesterday when it has none. A provider that fails is logged and
    /// asked again by the next run; the others and the reconciliation go on.
    /// </summary>
    private async Task PullAsync(IServiceProvider services, PaymentDb db, ReconciliationDesk desk, DateOnly yesterday, CancellationToken ct)
    {
        foreach (var provider in services.GetServices<IOnlinePaymentProvider>())
        {
            var prefix = provider.Name + " ";
            var first = await db.Set<Statement>().Where(s => s.Source == StatementSource.Gateway && s.Name.StartsWith(prefix))
                .MinAsync(s => (DateOnly?)s.StatementDate, ct);
            first ??= await db.Set<PaymentIntent>().Where(i => i.Provider == provider.Name).MinAsync(i => (DateTimeOffset?)i.CreatedAt, ct) is { } at
                ? DateOnly.FromDateTime(at.ToOffset(options.Value.UtcOffset).DateTime)
                : yesterday;
            var earliest = yesterday.AddDays(1 - Math.Max(1, options.Value.PullDays));
            var from = first > earliest ? first.Value : earliest;
            for (var day = from; day <= yesterday; day = day.AddDays(1))
            {
                var name = $"{provider.Name} {day:yyyy-MM-dd}";
                if (await db.Set<Statement>().AnyAsync(s => s.Source == StatementSource.Gateway && s.StatementDate == day && s.Name == name, ct))
                {
                    continue;
                }

                try
                {
                    var lines = await provider.DownloadStatementAsync(day, ct);
                    await desk.ImportAsync(new StatementHeading(StatementSource.Gateway, day, name),
                        lines.Select((l, i) => new CsvLine(i + 1, l.BookedOn, l.Amount, l.Reference, l.Counterparty)).ToList(), Actor, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested) // a timeout too: the provider did not answer
                {
                    db.ChangeTracker.Clear();
                    log.LogWarning(e, "Pulling the {Provider} statement of {Day:yyyy-MM-dd} failed; the next run asks again", provider.Name, day);
                    break; // its later days wait too, so that they are imported in order
                }
            }
        }
    }
}
