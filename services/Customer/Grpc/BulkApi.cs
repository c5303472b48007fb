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

        var progress = new ImportProgress();
        var seen = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var batch = new List<ImportRow>(options.Value.BatchSize);
        while (await requestStream.MoveNext(ct))
        {
            var row = ++progress.RowsReceived;
            batch.Add(requestStream.Current.ItemCase == ImportCustomersRequest.ItemOneofCase.Line
                ? columns.ParseRow(row, requestStream.Current.Line)
                : new ImportRow(row, null, null, default, default, [], new ImportResult(row, ImportOutcome.Invalid, null, "line", "must be a data line")));
            if (batch.Count >= options.Value.BatchSize)
            {
                await WriteAsync(batch, seen, progress, responseStream, ct);
            }
        }

        await WriteAsync(batch, seen, progress, responseStream, ct);
        progress.Done = true;
        await responseStream.WriteAsync(new ImportCustomersResponse { Progress = progress }, ct);
        log.LogInformation("Import {RequestId}: {Rows} rows, {Created} created, {Duplicates} duplicates, {Invalid} invalid",
            header.RequestId, progress.RowsReceived, progress.Created, progress.Duplicates, progress.Invalid);
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

    private async Task WriteAsync(List<ImportRow> batch, Dictionary<string, Guid> seen, ImportProgress progress,
        IServerStreamWriter<ImportCustomersResponse> responses, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        foreach (var result in await importer.WriteBatchAsync(batch, seen, ct))
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

        batch.Clear();
        await responses.WriteAsync(new ImportCustomersResponse { Progress = progress.Clone() }, ct);
    }
}
