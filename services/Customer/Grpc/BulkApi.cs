using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Grpc;

public sealed class BulkApi(CustomerImporter importer, CustomerQueries queries, CustomerMapping map, IOptions<ImportOptions> options,
    ILogger<BulkApi> log) : CustomerBulk.CustomerBulkBase
{
    /// <summary>
    /// Streams the rows into batches and answers each batch's results. The same import sent again under its request_id
    /// is answered from the stored results (<see cref="ImportReplay"/>), written on only past where an interrupted
    /// first one stopped.
    /// </summary>
    [Authorize(Roles = CustomersApi.Managers)]
    public override async Task ImportCustomers(IAsyncStreamReader<ImportCustomersRequest> requestStream, IServerStreamWriter<ImportCustomersResponse> responseStream,
        ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.ItemCase != ImportCustomersRequest.ItemOneofCase.Header)
        {
            throw ValidationException.For("header", "the first message must be the header");
        }

        var header = requestStream.Current.Header;
        var check = new Validator().RequireLength(header.RequestId, "header.request_id", 1, 128);
        check.ThrowIfInvalid();
        var columns = ImportColumns.Parse(header.Columns);
        using var replay = await importer.ReplayAsync(header.RequestId, header.Columns, ct);

        var progress = new ImportProgress();
        var seen = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var batch = new List<ImportRow>(options.Value.BatchSize);
        while (await requestStream.MoveNext(ct))
        {
            var row = ++progress.RowsReceived;
            var line = requestStream.Current.ItemCase == ImportCustomersRequest.ItemOneofCase.Line ? requestStream.Current.Line : null;
            if (replay.Replaying)
            {
                await AnswerAsync(replay.Row(row, line), progress, responseStream, ct);
                continue;
            }

            replay.Row(row, line);
            batch.Add(line is not null
                ? columns.ParseRow(row, line)
                : new ImportRow(row, null, null, default, default, [], new ImportResult(row, ImportOutcome.Invalid, null, "line", "must be a data line")));
            if (batch.Count >= options.Value.BatchSize)
            {
                await WriteAsync(batch, seen, replay, done: false, progress, responseStream, ct);
            }
        }

        var replayed = replay.End(progress.RowsReceived);
        if (replayed is not null)
        {
            await AnswerAsync(replayed, progress, responseStream, ct);
        }
        else
        {
            await WriteAsync(batch, seen, replay, done: true, progress, responseStream, ct);
        }

        progress.Done = true;
        await responseStream.WriteAsync(new ImportCustomersResponse { Progress = progress }, ct);
        log.LogInformation("Import {RequestId}: {Rows} rows, {Created} created, {Duplicates} duplicates, {Invalid} invalid{Replayed}",
            header.RequestId, progress.RowsReceived, progress.Created, progress.Duplicates, progress.Invalid, replayed is null ? "" : " (answered from the first import)");
    }

    [Authorize(Roles = CustomersApi.Managers)]
    public override async Task ExportCustomers(ExportCustomersRequest request, IServerStreamWriter<Contracts.Customer.V1.Customer> responseStream, ServerCallContext context)
    {
        var check = new Validator();
        var criteria = CriteriaMapping.From(request.Filter, check);
        check.ThrowIfInvalid();
        var reveal = CustomerMapping.CanReadPii(context);
        await foreach (var customer in queries.AllAsync(criteria, context.CancellationToken))
        {
            await responseStream.WriteAsync(map.ToProto(customer, reveal), context.CancellationToken);
        }
    }

    private async Task WriteAsync(List<ImportRow> batch, Dictionary<string, Guid> seen, ImportReplay replay, bool done, ImportProgress progress,
        IServerStreamWriter<ImportCustomersResponse> responses, CancellationToken ct)
    {
        var results = await importer.WriteBatchAsync(batch, seen, new BatchRecord(replay, progress.RowsReceived, done), ct);
        batch.Clear();
        await AnswerAsync(results, progress, responses, ct);
    }

    /// <summary>Answers a batch's results (written now or stored by the first import) and the progress after it.</summary>
    private static async Task AnswerAsync(IReadOnlyList<ImportResult> results, ImportProgress progress, IServerStreamWriter<ImportCustomersResponse> responses,
        CancellationToken ct)
    {
        if (results.Count == 0)
        {
            return;
        }

        foreach (var result in results)
        {
            switch (result.Outcome)
            {
                case ImportOutcome.Created: progress.Created++; break;
                case ImportOutcome.Duplicate: progress.Duplicates++; break;
                default: progress.Invalid++; break;
            }

            await responses.WriteAsync(new ImportCustomersResponse
            {
                Result = new ImportRowResult
                {
                    Row = result.Row,
                    Outcome = (ImportRowResult.Types.Outcome)(int)result.Outcome,
                    CustomerId = result.CustomerId?.ToString() ?? "",
                    Field = result.Field ?? "",
                    Description = result.Description ?? "",
                },
            }, ct);
        }

        await responses.WriteAsync(new ImportCustomersResponse { Progress = progress.Clone() }, ct);
    }
}
