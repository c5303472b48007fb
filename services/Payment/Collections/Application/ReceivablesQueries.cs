using Microsoft.EntityFrameworkCore;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;

namespace Platform.Payment.Collections.Application;

public sealed record AgingReport(DateOnly AsOf, AgingBuckets Total, IReadOnlyDictionary<Guid, AgingBuckets> PerCustomer, string Currency);

public sealed record DsoReport(decimal Receivables, decimal CreditSales, int Days, double Dso, string Currency);

/// <summary>Aging and DSO over the receivables, as of a date: what each invoice issued by then still owed at its end.</summary>
public sealed class ReceivablesQueries(PaymentDb db)
{
    public async Task<AgingReport> AgingAsync(Guid? customerId, DateOnly asOf, string currency, CancellationToken ct)
    {
        var (total, perCustomer) = ReceivablesMath.Age(await OutstandingAsync(customerId, asOf, currency, ct), asOf);
        return new AgingReport(asOf, total, perCustomer, currency);
    }

    public async Task<DsoReport> DsoAsync(Guid? customerId, DateOnly start, DateOnly end, string currency, CancellationToken ct)
    {
        var (from, to) = (StartOf(start), StartOf(end.AddDays(1)));
        var sales = await Scope(customerId, currency).Where(r => r.IssuedAt >= from && r.IssuedAt < to && (r.VoidedAt == null || r.VoidedAt >= to)).SumAsync(r => r.Amount, ct);
        var receivables = (await OutstandingAsync(customerId, end, currency, ct)).Sum(i => i.Outstanding);
        var days = end.DayNumber - start.DayNumber + 1;
        return new DsoReport(receivables, sales, days, ReceivablesMath.Dso(receivables, sales, days), currency);
    }

    /// <summary>What each invoice issued by the end of <paramref name="asOf"/> still owed then: its amount less what was paid by then.</summary>
    private async Task<List<OutstandingInvoice>> OutstandingAsync(Guid? customerId, DateOnly asOf, string currency, CancellationToken ct)
    {
        var end = StartOf(asOf.AddDays(1));
        var rows = await Scope(customerId, currency)
            .Where(r => r.IssuedAt < end && (r.PaidAt == null || r.PaidAt >= end) && (r.WrittenOffAt == null || r.WrittenOffAt >= end) && (r.VoidedAt == null || r.VoidedAt >= end))
            .Select(r => new
            {
                r.CustomerId,
                r.DueDate,
                r.Amount,
                Paid = db.Set<ReceivableAllocation>().Where(a => a.InvoiceId == r.InvoiceId && a.At < end).Sum(a => (decimal?)a.Amount) ?? 0m,
            })
            .ToListAsync(ct);
        return rows.Select(r => new OutstandingInvoice(r.CustomerId, r.DueDate, Math.Max(0m, r.Amount - r.Paid))).ToList();
    }

    private IQueryable<Receivable> Scope(Guid? customerId, string currency)
    {
        var all = db.Set<Receivable>().AsNoTracking().Where(r => r.Currency == currency);
        return customerId is { } id ? all.Where(r => r.CustomerId == id) : all;
    }

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
