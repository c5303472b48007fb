using Platform.BuildingBlocks.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;

namespace Platform.Billing.Commerce.Jobs;

/// <summary>
/// Raises InvoiceDue when an open invoice reaches its due date and InvoiceOverdue from the day after, each once per
/// invoice. One replica at a time: the scan holds a PostgreSQL advisory lock for its transaction and a replica that
/// cannot take it skips the round. A round takes only invoices with an event due now, so each round moves on to the next
/// ones: an invoice told due today does not come back until it is a day overdue.
/// </summary>
public sealed class InvoiceDueScan(BillingDb db, TimeProvider clock, IOptions<CommerceOptions> options)
{
    private static readonly long LockKey = AdvisoryLocks.KeyOf("billing-invoice-due-scan");

    /// <summary>One round; answers how many events it queued, or null when another replica holds the lock.</summary>
    public async Task<int?> RunOnceAsync(CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.TryLockForTransactionAsync(LockKey, ct))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var overdueFrom = now.AddDays(-1); // one full day past the due date is one day overdue
        var unpaid = await db.Set<Invoice>()
            .Where(i => i.State == InvoiceState.Open
                && ((i.DueNotifiedAt == null && i.DueDate <= now) || (i.OverdueNotifiedAt == null && i.DueDate <= overdueFrom)))
            .OrderBy(i => i.DueDate).ThenBy(i => i.Id).Take(options.Value.InvoiceScanBatchSize).ToListAsync(ct);
        var graceDays = await GraceDaysAsync(unpaid, ct);
        var queued = 0;
        foreach (var invoice in unpaid)
        {
            if (invoice.DueNotifiedAt is null)
            {
                invoice.DueNotifiedAt = now;
                db.Enqueue(new InvoiceDue(Guid.CreateVersion7(), now, invoice.Id, invoice.Number ?? "", invoice.CustomerId, invoice.ContractId,
                    invoice.AmountDue, invoice.Currency, invoice.DueDate), clock);
                queued++;
            }

            // Counted from the due date: one full day past it is one day overdue.
            var daysOverdue = (int)Math.Floor((now - invoice.DueDate).TotalDays);
            if (invoice.OverdueNotifiedAt is null && daysOverdue >= 1)
            {
                invoice.OverdueNotifiedAt = now;
                db.Enqueue(new InvoiceOverdue(Guid.CreateVersion7(), now, invoice.Id, invoice.Number ?? "", invoice.CustomerId, invoice.ContractId,
                    invoice.AmountDue, invoice.Currency, invoice.DueDate, daysOverdue,
                    invoice.ContractId is { } c && graceDays.TryGetValue(c, out var g) ? g : 0), clock);
                queued++;
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return queued;
    }

    private async Task<Dictionary<Guid, int>> GraceDaysAsync(List<Invoice> invoices, CancellationToken ct)
    {
        var ids = invoices.Where(i => i.ContractId != null).Select(i => i.ContractId!.Value).Distinct().ToList();
        return await db.Set<Contract>().AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.Terms.GraceDays })
            .ToDictionaryAsync(c => c.Id, c => c.GraceDays, ct);
    }
}

/// <summary>Runs <see cref="InvoiceDueScan"/> every Billing:Commerce:InvoiceScanInterval, on the injected clock.</summary>
public sealed class InvoiceDueScanService(IServiceScopeFactory scopes, TimeProvider clock,
    IOptions<CommerceOptions> options, ILogger<InvoiceDueScanService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.InvoiceScanInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<InvoiceDueScan>().RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The next round retries; nothing was marked notified without its event.
                log.LogWarning(e, "Invoice due scan failed");
            }
        }
    }
}
