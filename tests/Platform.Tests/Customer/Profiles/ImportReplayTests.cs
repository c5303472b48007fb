using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;
using Outcome = Platform.Contracts.Customer.V1.ImportRowResult.Types.Outcome;

namespace Platform.Tests.Customer.Profiles;

/// <summary>An import is idempotent per request_id (the service writes batches of 50 here).</summary>
[Collection(ProfileCollection.Name)]
public sealed class ImportReplayTests(ProfileService service)
{
    private const string Header = "kind,display_name,email,phone,owner_id,industry,need_type,acquisition_channel,tags";

    private Task<List<ImportCustomersResponse>> ImportAsync(string requestId, IEnumerable<string> lines) =>
        service.ImportAsync(Header, requestId, lines);

    private static List<string> Lines(string owner, int count)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        return Enumerable.Range(1, count).Select(i => $"individual,Replay {i},rep.{run}.{i}@example.com,,{owner},retail,,,").ToList();
    }

    private Task<(int Customers, int Events, int Batches)> WrittenAsync(string owner, string requestId) => service.QueryAsync(async db => (
        await db.Customers.CountAsync(c => c.OwnerId == Guid.Parse(owner)),
        await db.Database.SqlQuery<int>(
            $"SELECT count(*)::int AS \"Value\" FROM outbox_messages WHERE message_type LIKE '%CustomerRegistered' AND payload::text LIKE {"%" + owner + "%"}").SingleAsync(),
        await db.Set<ImportBatch>().CountAsync(b => b.RequestId == requestId)));

    private static List<ImportRowResult> Results(IEnumerable<ImportCustomersResponse> responses) =>
        responses.Where(r => r.ItemCase == ImportCustomersResponse.ItemOneofCase.Result).Select(r => r.Result).ToList();

    [Fact]
    public async Task The_same_import_sent_again_answers_the_first_results_and_writes_nothing()
    {
        var existing = await service.RegisterAsync("Replay Existing");
        var owner = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var lines = Lines(owner, 120);
        lines[6] = $"individual,Dup,{existing.Email},,{owner},,,,";  // row 7: duplicate of a stored customer
        lines[70] = "individual,Too Few Fields";                     // row 71: invalid

        var first = await ImportAsync(requestId, lines);
        var written = await WrittenAsync(owner, requestId);
        var second = await ImportAsync(requestId, lines);

        Assert.Equal((118, 118, 3), written);
        Assert.Equal((120, 118, 1, 1, true), (first[^1].Progress.RowsReceived, first[^1].Progress.Created, first[^1].Progress.Duplicates,
            first[^1].Progress.Invalid, first[^1].Progress.Done));
        Assert.Equal(first, second); // every row result and every progress message, in the same order
        Assert.Equal((Outcome.Duplicate, existing.CustomerId), (Results(second)[6].Outcome, Results(second)[6].CustomerId));
        Assert.Equal(written, await WrittenAsync(owner, requestId));
    }

    [Fact]
    public async Task An_import_is_forgotten_with_all_its_batches_once_its_last_batch_is_older_than_the_idempotency_window()
    {
        var owner = Guid.NewGuid().ToString();
        var (forgotten, straddling) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var lines = Lines(owner, 100); // two full batches and an empty last one
        await ImportAsync(forgotten, lines);
        await ImportAsync(straddling, Lines(Guid.NewGuid().ToString(), 100));
        var old = DateTimeOffset.UtcNow - new MessageRetentionOptions().IdempotentRequests - TimeSpan.FromHours(1);
        await service.QueryAsync(db => db.Set<ImportBatch>().Where(b => b.RequestId == forgotten || (b.RequestId == straddling && b.Number == 0))
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.CreatedAt, old)));

        var retention = ActivatorUtilities.CreateInstance<MessageRetention<CustomerDb>>(service.Host.Services, TimeProvider.System,
            Options.Create(new MessageRetentionOptions { BatchSize = 2 })); // several statements
        var pruned = await retention.PruneAsync(CancellationToken.None);

        Assert.Equal(3, pruned.Own);
        Assert.Equal(0, (await WrittenAsync(owner, forgotten)).Batches);
        Assert.Equal(3, await service.QueryAsync(db => db.Set<ImportBatch>().CountAsync(b => b.RequestId == straddling)));
        // Sent again, the forgotten import is a new one: every row is now a duplicate of the customer it created.
        var again = Results(await ImportAsync(forgotten, lines));
        Assert.All(again, r => Assert.Equal(Outcome.Duplicate, r.Outcome));
    }

    [Fact]
    public async Task The_same_request_id_with_other_content_is_refused_naming_request_id_and_writes_nothing()
    {
        var owner = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var lines = Lines(owner, 100); // two full batches, then an empty last one
        await ImportAsync(requestId, lines);
        var written = await WrittenAsync(owner, requestId);

        var changedRow = lines.ToList();
        changedRow[77] = changedRow[77].Replace("Replay 78", "Replay Seventy-Eight", StringComparison.Ordinal);
        var fields = new List<IReadOnlyList<string>>
        {
            await InvalidFields(() => ImportAsync(requestId, changedRow)),
            await InvalidFields(() => ImportAsync(requestId, [.. lines, $"individual,One More,rep.more.{owner}@example.com,,{owner},,,,"])),
            await InvalidFields(() => ImportAsync(requestId, lines.Take(99))),
        };

        Assert.Equal((100, 100, 3), written);
        Assert.All(fields, f => Assert.Equal(["header.request_id"], f));
        Assert.Equal(written, await WrittenAsync(owner, requestId));
    }

    [Fact]
    public async Task An_import_cut_off_by_the_caller_and_sent_again_completes_once()
    {
        var owner = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var lines = Lines(owner, 150);

        // First attempt: two batches are written and answered, then the caller cancels with 30 more rows sent.
        var partial = new List<ImportCustomersResponse>();
        using (var cancel = new CancellationTokenSource())
        {
            using var call = service.Bulk.ImportCustomers(Tokens.As(Roles.SalesManager).WithCancellationToken(cancel.Token));
            await call.RequestStream.WriteAsync(new ImportCustomersRequest { Header = new ImportHeader { RequestId = requestId, Columns = Header } });
            foreach (var line in lines.Take(130))
            {
                await call.RequestStream.WriteAsync(new ImportCustomersRequest { Line = line });
            }

            while (await call.ResponseStream.MoveNext(cancel.Token))
            {
                partial.Add(call.ResponseStream.Current);
                if (call.ResponseStream.Current.Progress is { RowsReceived: >= 100 })
                {
                    break;
                }
            }

            await cancel.CancelAsync();
        }

        await Eventually.Until(() => WrittenAsync(owner, requestId), w => w == (100, 100, 2), what: "the cut-off import's two batches written");
        var cutOff = await WrittenAsync(owner, requestId);

        var resent = await ImportAsync(requestId, lines);
        var completed = await WrittenAsync(owner, requestId);
        var again = await ImportAsync(requestId, lines);

        Assert.Equal((100, 100, 2), cutOff);
        Assert.Equal(Enumerable.Range(1, 150), Results(resent).Select(r => r.Row));
        Assert.All(Results(resent), r => Assert.Equal(Outcome.Created, r.Outcome));
        Assert.Equal(Results(partial), Results(resent).Take(100)); // the rows written by the first attempt answer as they did then
        Assert.Equal((150, 150, true), (resent[^1].Progress.Created, resent[^1].Progress.RowsReceived, resent[^1].Progress.Done));
        Assert.Equal((150, 150, 4), completed); // each customer once, each announced once; batches of 50, 50, 50 and the last (empty)
        Assert.Equal(resent, again);
        Assert.Equal(completed, await WrittenAsync(owner, requestId));
    }

    [Fact]
    public void Stored_results_decode_as_they_were_and_stay_compact()
    {
        var results = Enumerable.Range(1, 1000).Select(i => i % 100 == 0
                ? new ImportResult(i, ImportOutcome.Invalid, null, "email", "is not an e-mail address")
                : i % 50 == 0 ? new ImportResult(i, ImportOutcome.Duplicate, Guid.CreateVersion7(), "phone")
                : new ImportResult(i, ImportOutcome.Created, Guid.CreateVersion7()))
            .ToList();

        var stored = ImportResultCodec.Encode(results);

        Assert.Equal(results, ImportResultCodec.Decode(stored));
        Assert.True(stored.Length < 20 * results.Count, $"{stored.Length} bytes for {results.Count} results");
    }
}
