using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;

namespace Platform.Billing.Commerce.Application;

/// <summary>
/// Gapless yearly numbers (INV-2026-000001, CON-…; receipts: see NextReceiptsAsync). The counter row of the series and year is locked FOR UPDATE
/// in the caller's transaction, so concurrent issuers queue on it and a rolled-back issue gives its number back.
/// Must be called inside a transaction.
/// </summary>
public sealed class DocumentNumbers(BillingDb db)
{
    public async Task<string> NextAsync(string series, DateTimeOffset at, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Document numbers are taken inside the issuing transaction");
        }

        var year = at.UtcDateTime.Year;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO document_counters (series, year, last_number) VALUES ({series}, {year}, 0) ON CONFLICT DO NOTHING", ct);
        var last = await db.Database.SqlQuery<long>(
            $"SELECT last_number AS \"Value\" FROM document_counters WHERE series = {series} AND year = {year} FOR UPDATE").ToListAsync(ct);
        var next = last.Single() + 1;
        await db.Database.ExecuteSqlAsync(
            $"UPDATE document_counters SET last_number = {next} WHERE series = {series} AND year = {year}", ct);
        return InvoiceLifecycle.Number(series, year, next);
    }

    /// <summary>The sequence receipts are numbered from (<see cref="NextReceiptsAsync"/>).</summary>
    public const string ReceiptSequence = "receipt_numbers";

    /// <summary>
    /// <paramref name="count"/> receipt numbers (RCP-2026-000042), in increasing order, from a database sequence: unique
    /// and increasing, but not gapless — a rolled back deposit leaves a gap. Receipts are issued with every deposit, so a
    /// gapless counter row would queue every customer's deposits one behind the other; invoices and contracts keep the
    /// gapless counter.
    /// </summary>
    public async Task<IReadOnlyList<string>> NextReceiptsAsync(int count, DateTimeOffset at, CancellationToken ct)
    {
        if (count == 0)
        {
            return [];
        }

        var next = await db.Database.SqlQueryRaw<long>(
            $"SELECT nextval('{ReceiptSequence}') AS \"Value\" FROM generate_series(1, {{0}}) ORDER BY 1", count).ToListAsync(ct);
        return next.Select(n => InvoiceLifecycle.Number("RCP", at.UtcDateTime.Year, n)).ToList();
    }
}
