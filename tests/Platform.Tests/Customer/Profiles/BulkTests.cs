using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;
using Outcome = Platform.Contracts.Customer.V1.ImportRowResult.Types.Outcome;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class BulkTests(ProfileService service)
{
    private Task<List<ImportCustomersResponse>> ImportAsync(string header, IEnumerable<string> lines, params string[] roles) =>
        service.ImportAsync(header, Guid.NewGuid().ToString(), lines, roles);

    [Fact]
    public async Task Import_answers_each_row_created_duplicate_or_invalid_with_progress_and_writes_the_created_ones()
    {
        var existing = await service.RegisterAsync("Already Here");
        var owner = Guid.NewGuid().ToString();
        var run = Guid.NewGuid().ToString("N")[..8];
        var lines = Enumerable.Range(1, 120).Select(i => $"individual,\"Imported {i}, Esq.\",imp.{run}.{i}@example.com,,{owner},retail,service,trade_show,vip;import").ToList();
        lines[9] = $"individual,Dup Of Existing,{existing.Email},,{owner},,,,";           // row 10
        lines[19] = $"individual,Bad Mail,not-an-address,,{owner},,,,";                   // row 20
        lines[29] = $"individual,In File Twin,imp.{run}.1@example.com,,{owner},,,,";       // row 30
        lines[39] = "individual,Too Few Fields";                                           // row 40
        lines[49] = $"spaceship,Bad Kind,imp.{run}.x@example.com,,{owner},,,,";           // row 50

        var responses = await ImportAsync("kind,display_name,email,phone,owner_id,industry,need_type,acquisition_channel,tags", lines);
        var results = responses.Where(r => r.ItemCase == ImportCustomersResponse.ItemOneofCase.Result).Select(r => r.Result).ToDictionary(r => r.Row);
        var progress = responses.Where(r => r.ItemCase == ImportCustomersResponse.ItemOneofCase.Progress).Select(r => r.Progress).ToList();
        var stored = await service.QueryAsync(db => db.Customers.AsNoTracking().Where(c => c.OwnerId == Guid.Parse(owner)).ToListAsync());
        var events = await service.QueryAsync(db => db.Database.SqlQuery<int>(
            $"SELECT count(*)::int AS \"Value\" FROM outbox_messages WHERE message_type LIKE '%CustomerRegistered' AND payload::text LIKE {"%" + owner + "%"}").SingleAsync());

        Assert.Equal(Enumerable.Range(1, 120), results.Keys.Order());
        Assert.Equal((Outcome.Duplicate, existing.CustomerId, "email"), (results[10].Outcome, results[10].CustomerId, results[10].Field));
        Assert.Equal((Outcome.Invalid, "email"), (results[20].Outcome, results[20].Field));
        Assert.Equal((Outcome.Duplicate, results[1].CustomerId), (results[30].Outcome, results[30].CustomerId));
        Assert.Equal((Outcome.Invalid, "line"), (results[40].Outcome, results[40].Field));
        Assert.Equal((Outcome.Invalid, "kind"), (results[50].Outcome, results[50].Field));
        Assert.Equal(115, results.Values.Count(r => r.Outcome == Outcome.Created));
        Assert.Equal(115, stored.Count);
        Assert.Equal(115, events);
        Assert.Equal("Imported 1, Esq.", stored.Single(c => c.Id == Guid.Parse(results[1].CustomerId)).DisplayName);
        Assert.All(stored, c => Assert.Equal(["vip", "import"], c.Tags));
        Assert.All(stored, c => Assert.Equal(Platform.Customer.Domain.AcquisitionChannel.TradeShow, c.AcquisitionChannel));
        Assert.True(progress.Count >= 4);
        Assert.Equal((120, 115, 2, 3, true), (progress[^1].RowsReceived, progress[^1].Created, progress[^1].Duplicates, progress[^1].Invalid, progress[^1].Done));

        var again = await ImportAsync("kind,display_name,email,phone,owner_id,industry,need_type,acquisition_channel,tags", lines.Take(3));
        Assert.All(again.Where(r => r.Result is not null), r => Assert.Equal(Outcome.Duplicate, r.Result.Outcome));
    }

    [Fact]
    public async Task An_unknown_column_refuses_the_import_before_any_row()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ImportAsync("kind,display_name,email,shoe_size", ["individual,X,x@example.com,42"]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("header.columns", e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task Export_streams_the_filtered_customers_masked_unless_the_caller_reads_pii()
    {
        var owner = Guid.NewGuid().ToString();
        var mine = new[] { await service.RegisterAsync("Export A", ownerId: owner), await service.RegisterAsync("Export B", ownerId: owner) };
        await service.RegisterAsync("Not Mine");

        async Task<List<Contracts.Customer.V1.Customer>> ExportAsync(params string[] roles)
        {
            using var call = service.Bulk.ExportCustomers(new ExportCustomersRequest { Filter = new CustomerFilter { OwnerId = owner } }, Tokens.As(roles));
            return await call.ResponseStream.ReadAllAsync().ToListAsync();
        }

        var masked = await ExportAsync(Roles.SalesManager);
        var revealed = await ExportAsync(Roles.SalesManager, Roles.PiiReader);

        Assert.Equal(mine.Select(c => c.CustomerId).Reverse(), masked.Select(c => c.CustomerId));
        Assert.All(masked, c => Assert.Contains("***", c.Email, StringComparison.Ordinal));
        Assert.Equal(mine.Select(c => c.Email).Reverse(), revealed.Select(c => c.Email));
        await Refused(StatusCode.PermissionDenied, () => ExportAsync(Roles.SalesRep));
    }
}
