using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Reconciliation.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Reconciliation.Application;

/// <summary>A statement's header as the importer gave it.</summary>
public sealed record StatementHeading(StatementSource Source, DateOnly StatementDate, string Name);

/// <summary>A page of a reconciliation report.</summary>
public sealed record ReportPage(Statement Statement, IReadOnlyList<ReconciliationItem> Items, int? LastOrdinal);

/// <summary>Imports statements, reconciles them against the payment book, and reads their reports. Saves.</summary>
public sealed class ReconciliationDesk(PaymentDb db, AuditTrail audit, TimeProvider clock, IOptions<ReconciliationOptions> options)
{
    private static readonly PaymentMethod[] BankMethods = [PaymentMethod.BankTransfer, PaymentMethod.VirtualAccount, PaymentMethod.Cheque, PaymentMethod.Card];
    private static readonly PaymentMethod[] GatewayMethods = [PaymentMethod.Alipay, PaymentMethod.WechatPay];

    /// <summary>Stores a statement; a malformed line refuses the whole import (INVALID_ARGUMENT on csv_chunk), nothing stored.</summary>
    public async Task<Statement> ImportAsync(StatementHeading heading, IReadOnlyList<CsvLine> lines, string actor, CancellationToken ct)
    {
        var statement = new Statement
        {
            Id = Guid.CreateVersion7(),
            Source = heading.Source,
            StatementDate = heading.StatementDate,
            Name = heading.Name,
            LineCount = lines.Count,
            Status = StatementStatus.Imported,
            ImportedBy = actor,
            ImportedAt = clock.GetUtcNow(),
        };
        db.Set<Statement>().Add(statement);
        db.Set<StatementLine>().AddRange(lines.Select(l => new StatementLine
        {
            StatementId = statement.Id,
            LineNumber = l.LineNumber,
            BookedOn = l.BookedOn,
            Amount = l.Amount,
            Reference = l.Reference,
            Counterparty = l.Counterparty,
        }));
        audit.Record(actor, "statement.imported", statement.Id.ToString(), null, new { Source = heading.Source.ToString(), heading.StatementDate, heading.Name, lines.Count });
        await db.SaveChangesAsync(ct);
        return statement;
    }

    /// <summary>Matches the statement against the book now, replacing its previous report.</summary>
    public async Task<Statement> ReconcileAsync(Guid statementId, string actor, CancellationToken ct)
    {
        var owned = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            var statement = await db.Set<Statement>().SingleOrDefaultAsync(s => s.Id == statementId, ct)
                ?? throw new NotFoundException("statement", statementId.ToString());
            var lines = await db.Set<StatementLine>().AsNoTracking().Where(l => l.StatementId == statementId).ToListAsync(ct);
            var items = StatementMatcher.Match(statementId, statement.StatementDate, lines,
                await PaymentsFor(statement, lines.Select(l => l.Reference).Distinct().ToList(), ct), options.Value.DateToleranceDays);
            await db.Set<ReconciliationItem>().Where(i => i.StatementId == statementId).ExecuteDeleteAsync(ct);
            db.Set<ReconciliationItem>().AddRange(items);
            statement.Status = StatementStatus.Reconciled;
            statement.ReconciledAt = clock.GetUtcNow();
            statement.Matched = items.Count(i => i.Outcome == ReconciliationOutcome.Matched);
            statement.StatementOnly = items.Count(i => i.Outcome == ReconciliationOutcome.StatementOnly);
            statement.PaymentOnly = items.Count(i => i.Outcome == ReconciliationOutcome.PaymentOnly);
            statement.Differing = items.Count(i => i.Outcome == ReconciliationOutcome.Differing);
            audit.Record(actor, "statement.reconciled", statement.Id.ToString(), null,
                new { statement.Matched, statement.StatementOnly, statement.PaymentOnly, statement.Differing });
            await db.SaveChangesAsync(ct);
            if (owned is not null)
            {
                await owned.CommitAsync(ct);
            }

            return statement;
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync();
            }
        }
    }

    public async Task<ReportPage> ReportAsync(Guid statementId, int pageSize, int afterOrdinal, CancellationToken ct)
    {
        var statement = await db.Set<Statement>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == statementId, ct)
            ?? throw new NotFoundException("statement", statementId.ToString());
        var items = await db.Set<ReconciliationItem>().AsNoTracking()
            .Where(i => i.StatementId == statementId && i.Ordinal > afterOrdinal)
            .OrderBy(i => i.Ordinal).Take(pageSize + 1).ToListAsync(ct);
        var more = items.Count > pageSize;
        var page = items.Take(pageSize).ToList();
        return new ReportPage(statement, page, more ? page[^1].Ordinal : null);
    }

    /// <summary>
    /// The payments the statement can show: received by the source's methods, booked within the tolerance of the
    /// statement's day, plus any payment whose reference a line names (a line far off in date still differs, not
    /// goes unmatched).
    /// </summary>
    private async Task<IReadOnlyList<PaymentFact>> PaymentsFor(Statement statement, IReadOnlyList<string> references, CancellationToken ct)
    {
        var offset = options.Value.UtcOffset;
        var tolerance = options.Value.DateToleranceDays;
        var from = new DateTimeOffset(statement.StatementDate.AddDays(-tolerance).ToDateTime(TimeOnly.MinValue), offset).ToUniversalTime();
        var to = new DateTimeOffset(statement.StatementDate.AddDays(tolerance + 1).ToDateTime(TimeOnly.MinValue), offset).ToUniversalTime();
        var methods = statement.Source == StatementSource.Bank ? BankMethods : GatewayMethods;
        var rows = await db.Payments.AsNoTracking()
            .Where(p => p.State == PaymentState.Received && methods.Contains(p.Method)
                && ((p.ReceivedAt >= from && p.ReceivedAt < to) || (p.Reference != null && references.Contains(p.Reference))))
            .Select(p => new { p.Id, p.Reference, p.Amount, p.ReceivedAt })
            .ToListAsync(ct);
        return rows.Select(p => new PaymentFact(p.Id, p.Reference, p.Amount, p.ReceivedAt,
            DateOnly.FromDateTime(p.ReceivedAt.ToOffset(offset).DateTime))).ToList();
    }
}
