using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Exceptions.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Exceptions.Application;

/// <summary>The filters of the work item queue.</summary>
public sealed record WorkItemFilter(WorkItemKind? Kind, string? Owner, bool? Open);

/// <summary>A keyset position in the queue (oldest first): the last item's creation time and id.</summary>
public sealed record WorkItemCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public override string ToString() => CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "_" + Id;

    public static WorkItemCursor? Parse(string token)
    {
        var parts = token.Split('_');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks is >= 0 and <= 3155378975999999999 && Guid.TryParse(parts[1], out var id)
            ? new WorkItemCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }
}

/// <summary>Working the exception queue: assigning, resolving, and matching payments in suspense to their payer.</summary>
public sealed class ExceptionDesk(PaymentDb db, PaymentRecorder recorder, AuditTrail audit, TimeProvider clock)
{
    public async Task<(IReadOnlyList<WorkItem> Page, WorkItemCursor? Next)> ListAsync(WorkItemFilter filter, int pageSize, WorkItemCursor? after, CancellationToken ct)
    {
        var query = db.Set<WorkItem>().AsNoTracking();
        if (filter.Kind is { } kind)
        {
            query = query.Where(w => w.Kind == kind);
        }

        if (filter.Owner is { } owner)
        {
            query = query.Where(w => w.Owner == owner);
        }

        if (filter.Open is { } open)
        {
            query = open ? query.Where(w => w.ResolvedAt == null) : query.Where(w => w.ResolvedAt != null);
        }

        if (after is { } a)
        {
            query = query.Where(w => w.CreatedAt > a.CreatedAt || (w.CreatedAt == a.CreatedAt && w.Id.CompareTo(a.Id) > 0));
        }

        var rows = await query.OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).Take(pageSize + 1).ToListAsync(ct);
        return rows.Count > pageSize
            ? (rows.Take(pageSize).ToList(), new WorkItemCursor(rows[pageSize - 1].CreatedAt, rows[pageSize - 1].Id))
            : (rows, null);
    }

    public async Task<WorkItem> GetAsync(Guid id, CancellationToken ct) =>
        await db.Set<WorkItem>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct) ?? throw new NotFoundException("work item", id.ToString());

    public async Task<WorkItem> AssignAsync(Guid id, string owner, string actor, CancellationToken ct)
    {
        var item = await LoadAsync(id, ct);
        var before = item.Owner;
        item.AssignTo(owner);
        audit.Record(actor, "work_item.assigned", Subject(item), item.CustomerId, new { before, after = owner });
        await SaveAsync(ct);
        return item;
    }

    /// <summary>Closes an item with a note. Money in suspense is resolved by matching it, never by a note alone.</summary>
    public async Task<WorkItem> ResolveAsync(Guid id, string note, string actor, CancellationToken ct)
    {
        var item = await LoadAsync(id, ct);
        if (item.Kind == WorkItemKind.UnidentifiedPayer && item.IsOpen)
        {
            throw new PreconditionFailedException("MATCH_REQUIRED", Subject(item),
                "a payment in suspense is resolved by matching it to its payer (MatchPayment)");
        }

        item.Resolve(actor, note, clock.GetUtcNow());
        audit.Record(actor, "work_item.resolved", Subject(item), item.CustomerId, new { kind = item.Kind.ToString(), note });
        await SaveAsync(ct);
        return item;
    }

    /// <summary>
    /// Names the payer of a payment in suspense: it becomes the customer's received payment (PaymentReceived, for the
    /// invoices given or as a deposit) and its unidentified-payer work item is resolved.
    /// </summary>
    public async Task<Payment.Domain.Payment> MatchAsync(Guid paymentId, Guid customerId, IReadOnlyList<Guid> invoiceIds, string? note, string actor, CancellationToken ct)
    {
        var payment = await db.Payments.SingleOrDefaultAsync(p => p.Id == paymentId, ct) ?? throw new NotFoundException("payment", paymentId.ToString());
        if (payment.State != PaymentState.Unidentified)
        {
            throw new PreconditionFailedException("PAYMENT_NOT_UNIDENTIFIED", $"payments/{payment.Id}",
                $"only a payment in suspense can be matched; this one is {payment.State}");
        }

        payment.CustomerId = customerId;
        payment.InvoiceIds = [.. invoiceIds];
        recorder.MarkReceived(payment);
        var now = clock.GetUtcNow();
        var items = await db.Set<WorkItem>().Where(w => w.PaymentId == paymentId && w.Kind == WorkItemKind.UnidentifiedPayer && w.ResolvedAt == null).ToListAsync(ct);
        foreach (var item in items)
        {
            item.CustomerId = customerId;
            item.Resolve(actor, note ?? $"matched to customer {customerId}", now);
        }

        audit.Record(actor, "payment.matched", $"payments/{payment.Id}", customerId, new { invoiceIds, note });
        await SaveAsync(ct);
        return payment;
    }

    private async Task<WorkItem> LoadAsync(Guid id, CancellationToken ct) =>
        await db.Set<WorkItem>().SingleOrDefaultAsync(w => w.Id == id, ct) ?? throw new NotFoundException("work item", id.ToString());

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("it changed meanwhile; read it again");
        }
    }

    private static string Subject(WorkItem item) => $"payment-work-items/{item.Id}";
}
