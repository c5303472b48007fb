using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.Payment.Reconciliation.Jobs;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Payment.Online;
using static Platform.Tests.Payment.Online.OnlineHost;
using Domain = Platform.Payment.Domain;

namespace Platform.Tests.Payment.Reconciliation;

/// <summary>A bank statement streamed in, reconciled by the daily run, and its report read page by page.</summary>
public sealed class ReconciliationTests(OnlineHost host) : IClassFixture<OnlineHost>
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private async Task RecordAsync(string reference, decimal amount, DateOnly day, Domain.PaymentMethod method = Domain.PaymentMethod.BankTransfer)
    {
        // As the recording RPC does: through the one recorder, the caller saves.
        await using var scope = host.Payment.Services.CreateAsyncScope();
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(11, 0)), China).ToUniversalTime();
        scope.ServiceProvider.GetRequiredService<PaymentRecorder>().Add(new Domain.Payment
        {
            Id = Guid.CreateVersion7(), CustomerId = Guid.NewGuid(), Method = method, State = Domain.PaymentState.Received, Amount = amount,
            Currency = "CNY", Reference = reference, Collector = "test", ReceivedAt = at, CreatedAt = at, UpdatedAt = at,
        });
        await scope.ServiceProvider.GetRequiredService<PaymentDb>().SaveChangesAsync();
    }

    private async Task<ImportedStatement> ImportAsync(DateOnly day, params string[] chunks)
    {
        using var call = host.Reconciliation.ImportStatement(Tokens.As(Roles.FinanceClerk));
        await call.RequestStream.WriteAsync(new ImportStatementRequest
        {
            Header = new StatementHeader
            {
                RequestId = Id(), Source = StatementSource.Bank, Name = "ICBC " + day,
                StatementDate = new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day },
            },
        });
        foreach (var chunk in chunks)
        {
            await call.RequestStream.WriteAsync(new ImportStatementRequest { CsvChunk = chunk });
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    [Fact]
    public async Task Statement_lines_are_matched_unmatched_or_differing_as_counted_by_hand()
    {
        var day = new DateOnly(2025, 6, 10);
        var tag = Guid.NewGuid().ToString("N")[..8];
        string R(string name) => $"{tag}-{name}";
        await RecordAsync(R("A"), 100m, day);                 // line A 100 same day: matched
        await RecordAsync(R("B"), 200m, day.AddDays(-1));     // line B 200 a day later: matched (tolerance 1 day)
        await RecordAsync(R("C"), 300m, day);                 // line C says 310: differing (amount)
        await RecordAsync(R("E"), 400m, day.AddDays(-5));     // line E 5 days later: differing (date)
        await RecordAsync(R("H"), 700m, day);                 // no line: payment only
        await RecordAsync(R("I"), 800m, day, Domain.PaymentMethod.Alipay); // a wallet payment: not on a bank statement
        // lines F and G: no payment: statement only
        var csv = $"booked_date,amount,reference,counterparty\n2025-06-10,100.00,{R("A")},\"Acme, Ltd.\"\n2025-06-10,200,{R("B")},Beta\n"
            + $"2025-06-10,310.00,{R("C")},Gamma\n2025-06-10,400,{R("E")},Delta\n2025-06-10,50,{R("F")},Eps\n2025-06-10,60.5,{R("G")},Zeta\n";

        var imported = await ImportAsync(day, csv[..37], csv[37..101], csv[101..]); // chunks split inside lines
        Assert.Equal(6, imported.LineCount);
        Assert.Equal(StatementStatus.Imported, imported.Status);

        await host.RunAsync<ReconciliationJob>();

        var lines = new List<ReconciliationLine>();
        var token = "";
        ReconciliationReport page;
        do
        {
            page = await host.Reconciliation.GetReconciliationReportAsync(new GetReconciliationReportRequest
            {
                StatementId = imported.StatementId, PageSize = 4, PageToken = token,
            }, Tokens.As(Roles.FinanceClerk));
            lines.AddRange(page.Lines);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(StatementStatus.Reconciled, page.Statement.Status);
        Assert.Equal(new ReconciliationCounts { Matched = 2, StatementOnly = 2, PaymentOnly = 1, Differing = 2 }, page.Counts);
        Assert.Equal(7, lines.Count);
        Assert.Equal(
            [$"{R("A")}:Matched", $"{R("B")}:Matched", $"{R("C")}:Differing:amount", $"{R("E")}:Differing:date",
             $"{R("F")}:StatementOnly", $"{R("G")}:StatementOnly", $"{R("H")}:PaymentOnly"],
            lines.Select(l => $"{l.Reference}:{l.Outcome}" + (l.Difference.Length > 0 ? ":" + l.Difference : "")));
        Assert.Equal("Acme, Ltd.", lines[0].Counterparty);
    }

    [Fact]
    public async Task Malformed_statement_is_refused_naming_csv_chunk_and_nothing_is_stored()
    {
        var before = await host.Payment.QueryAsync<PaymentDb, int>(db => db.Set<Platform.Payment.Reconciliation.Domain.Statement>().CountAsync());

        var e = await Assert.ThrowsAsync<RpcException>(() => ImportAsync(new DateOnly(2025, 6, 11), "2025-06-11,12.5,R1,x\n2025-06-11,abc,R2,y\n"));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var violation = Assert.Single(e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("csv_chunk", violation.Field);
        Assert.StartsWith("line 2: amount", violation.Description, StringComparison.Ordinal);
        Assert.Equal(before, await host.Payment.QueryAsync<PaymentDb, int>(db => db.Set<Platform.Payment.Reconciliation.Domain.Statement>().CountAsync()));
    }
}
