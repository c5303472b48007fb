using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.Payment.Reconciliation.Application;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Domain = Platform.Payment.Reconciliation.Domain;

namespace Platform.Payment.Reconciliation.Grpc;

public sealed class ReconciliationApi(ReconciliationDesk desk, IdempotentRequests<PaymentDb> idempotent) : Contracts.Payment.V1.Reconciliation.ReconciliationBase
{
    public const string Matchers = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Administrator}";

    private const int MaxCsvChars = 20 * 1024 * 1024;
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    [Authorize(Roles = Matchers)]
    public override async Task<ImportedStatement> ImportStatement(IAsyncStreamReader<ImportStatementRequest> requestStream, ServerCallContext context)
    {
        StatementHeader? header = null;
        var csv = new StringBuilder();
        await foreach (var part in requestStream.ReadAllAsync(context.CancellationToken))
        {
            header ??= part.Header;
            if (csv.Length + part.CsvChunk.Length > MaxCsvChars)
            {
                throw ValidationException.For("csv_chunk", "the statement is larger than 20 MB", "STATEMENT_TOO_LARGE");
            }

            csv.Append(part.CsvChunk);
        }

        var check = new Validator();
        check.Require(header is not null, "header", "the first message must carry the header");
        header ??= new StatementHeader();
        check.RequireLength(header.RequestId, "header.request_id", 1, 128);
        check.Require(header.Source is StatementSource.Bank or StatementSource.Gateway, "header.source", "must be bank or gateway");
        var date = ToDate(header.StatementDate, "header.statement_date", check);
        check.RequireLength(header.Name, "header.name", 1, 200);
        var text = csv.ToString();
        var (lines, errors) = Domain.StatementCsv.Parse(text);
        foreach (var error in errors.Take(20))
        {
            check.Require(false, "csv_chunk", error);
        }

        check.ThrowIfInvalid();

        // The content takes part in the request's fingerprint through its digest: the same request_id with other CSV
        // text is refused naming csv_chunk.
        var fingerprint = new ImportStatementRequest { Header = header, CsvChunk = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))) };
        var heading = new StatementHeading(header.Source == StatementSource.Bank ? Domain.StatementSource.Bank : Domain.StatementSource.Gateway, date, header.Name);
        return await idempotent.ExecuteAsync(header.RequestId, fingerprint,
            async ct => ToProto(await desk.ImportAsync(heading, lines, context.CallerId(), ct)), context.CancellationToken);
    }

    [Authorize(Roles = Matchers)]
    public override async Task<ReconciliationReport> ReconcileStatement(ReconcileStatementRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireLength(request.RequestId, "request_id", 1, 128);
        var id = check.RequireGuid(request.StatementId, "statement_id");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            await desk.ReconcileAsync(id, context.CallerId(), ct);
            return ToProto(await desk.ReportAsync(id, DefaultPageSize, 0, ct));
        }, context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ReconciliationReport> GetReconciliationReport(GetReconciliationReportRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.StatementId, "statement_id");
        check.Require(request.PageSize is >= 0 and <= MaxPageSize, "page_size", $"must be 0-{MaxPageSize}");
        var after = ReportPageToken.Parse(request.PageToken, check);
        check.ThrowIfInvalid();
        return ToProto(await desk.ReportAsync(id, request.PageSize == 0 ? DefaultPageSize : request.PageSize, after, context.CancellationToken));
    }

    private static DateOnly ToDate(Google.Type.Date? date, string field, Validator check)
    {
        if (date is not null && date.Year is >= 2000 and <= 9999 && date.Month is >= 1 and <= 12
            && date.Day >= 1 && date.Day <= DateTime.DaysInMonth(date.Year, date.Month))
        {
            return new DateOnly(date.Year, date.Month, date.Day);
        }

        check.Require(false, field, "must be a full date");
        return default;
    }

    private static Google.Type.Date ToProto(DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };

    private static ImportedStatement ToProto(Domain.Statement statement) => new()
    {
        StatementId = statement.Id.ToString(),
        Source = statement.Source == Domain.StatementSource.Bank ? StatementSource.Bank : StatementSource.Gateway,
        StatementDate = ToProto(statement.StatementDate),
        Name = statement.Name,
        LineCount = statement.LineCount,
        Status = statement.Status == Domain.StatementStatus.Reconciled ? StatementStatus.Reconciled : StatementStatus.Imported,
        ImportTime = Timestamp.FromDateTimeOffset(statement.ImportedAt),
        ReconcileTime = statement.ReconciledAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };

    private static ReconciliationReport ToProto(ReportPage page)
    {
        var s = page.Statement;
        var report = new ReconciliationReport
        {
            Statement = ToProto(s),
            Counts = new ReconciliationCounts { Matched = s.Matched, StatementOnly = s.StatementOnly, PaymentOnly = s.PaymentOnly, Differing = s.Differing },
            NextPageToken = page.LastOrdinal is { } last ? ReportPageToken.Of(last) : "",
        };
        report.Lines.AddRange(page.Items.Select(i => new ReconciliationLine
        {
            Outcome = i.Outcome switch
            {
                Domain.ReconciliationOutcome.Matched => ReconciliationOutcome.Matched,
                Domain.ReconciliationOutcome.StatementOnly => ReconciliationOutcome.StatementOnly,
                Domain.ReconciliationOutcome.PaymentOnly => ReconciliationOutcome.PaymentOnly,
                _ => ReconciliationOutcome.Differing,
            },
            LineNumber = i.LineNumber,
            Reference = i.Reference,
            Counterparty = i.Counterparty ?? "",
            StatementAmount = i.StatementAmount?.ToMoney(MoneyExtensions.DefaultCurrency),
            BookedDate = i.BookedOn is { } booked ? ToProto(booked) : null,
            PaymentId = i.PaymentId?.ToString() ?? "",
            PaymentAmount = i.PaymentAmount?.ToMoney(MoneyExtensions.DefaultCurrency),
            PaymentReceiveTime = i.PaymentReceivedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            Difference = i.Difference ?? "",
        }));
        return report;
    }
}

/// <summary>The report's keyset position (the last line's ordinal), opaque to callers.</summary>
public static class ReportPageToken
{
    private const string Prefix = "rl1:";

    public static string Of(int ordinal) => Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The ordinal to continue after (0 for the first page); a violation on page_token when it is not ours.</summary>
    public static int Parse(string token, Validator check)
    {
        if (token.Length == 0)
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ordinal))
            {
                return ordinal;
            }
        }
        catch (FormatException)
        {
            // refused below
        }

        check.Require(false, "page_token", "is not a token this report answered");
        return 0;
    }
}
