using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;

namespace Platform.Tests.Billing.Commerce;

/// <summary>The published price list, the notice period, and who a price change reaches.</summary>
public sealed class CatalogTests(CommerceHost host) : IClassFixture<CommerceHost>
{
    private async Task<List<JsonElement>> AffectedAsync(string priceListId) =>
        (await host.OutboxAsync("PriceChangeScheduled")).Select(p => JsonDocument.Parse(p).RootElement)
            .Single(e => e.GetProperty("priceListId").GetString() == priceListId)
            .GetProperty("affectedContracts").EnumerateArray().ToList();

    private static (string, decimal, decimal, DateTimeOffset) Row(JsonElement a) =>
        (a.GetProperty("contractId").GetString()!, a.GetProperty("oldPrice").GetDecimal(), a.GetProperty("newPrice").GetDecimal(),
            a.GetProperty("effectiveAt").GetDateTimeOffset());

    [Fact]
    public async Task Anyone_reads_the_published_price_list_without_a_token()
    {
        var (setup, seat) = await host.NewProductAsync();

        var published = await host.Catalog.GetPublishedPriceListAsync(new GetPublishedPriceListRequest());

        Assert.Equal(1000, published.Current.Entries.Single(e => e.FeeItemCode == setup).UnitPrice.Units);
        var seatEntry = published.Current.Entries.Single(e => e.FeeItemCode == seat);
        Assert.Equal((FeeKind.RecurringMonthly, 100L, "Seat per month"), (seatEntry.Kind, seatEntry.UnitPrice.Units, seatEntry.Name));
    }

    [Fact]
    public async Task Price_change_with_too_short_notice_is_refused_naming_the_earliest_effective_date_and_stores_nothing()
    {
        var (_, seat) = await host.NewProductAsync();
        var before = await host.CountsAsync();
        var now = host.Clock.GetUtcNow();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Catalog.SchedulePriceChangeAsync(PriceChange(seat, 120m, now.AddDays(10)), Tokens.As(Roles.Administrator)));
        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Catalog.SchedulePriceChangeAsync(PriceChange(seat, 120m, now.AddDays(40)), Tokens.As(Roles.SalesManager)));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        var info = e.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal("PRICE_CHANGE_NOTICE_TOO_SHORT", info.Reason);
        Assert.Equal("effective_time", e.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations.Single().Subject);
        Assert.Contains(now.AddDays(30).ToString("yyyy-MM-dd"), e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task Price_change_lists_each_affected_contract_with_old_and_new_price_and_when_it_applies_to_it()
    {
        var (setup, seat) = await host.NewProductAsync();
        var now = host.Clock.GetUtcNow();
        var follows = await host.SignedContractAsync(Id(), Terms(now, followsList: true), 12, (seat, 1));
        var keepsUntilRenewal = await host.SignedContractAsync(Id(), Terms(now), 12, (seat, 1));
        await host.SignedContractAsync(Id(), Terms(now, autoRenew: false), 12, (seat, 1));
        await host.SignedContractAsync(Id(), Terms(now), 12, (setup, 1));
        var effective = now.AddDays(31);

        var list = await host.Catalog.SchedulePriceChangeAsync(PriceChange(seat, 120m, effective), Tokens.As(Roles.Administrator));

        Assert.Equal(2, list.AffectedContractCount);
        Assert.Equal(
            new[] { (follows.ContractId, 100m, 120m, effective), (keepsUntilRenewal.ContractId, 100m, 120m, now.AddMonths(12)) }.OrderBy(r => r.Item1),
            (await AffectedAsync(list.PriceListId)).Select(Row).OrderBy(r => r.Item1));
        var published = await host.Catalog.GetPublishedPriceListAsync(new GetPublishedPriceListRequest());
        Assert.Equal(100, published.Current.Entries.Single(e => e.FeeItemCode == seat).UnitPrice.Units);
        Assert.Contains(published.Upcoming, u => u.PriceListId == list.PriceListId);
        var later = await host.Catalog.GetPublishedPriceListAsync(new GetPublishedPriceListRequest { AsOf = Timestamp.FromDateTimeOffset(effective) });
        Assert.Equal(120, later.Current.Entries.Single(e => e.FeeItemCode == seat).UnitPrice.Units);
        Assert.Equal(1000, later.Current.Entries.Single(e => e.FeeItemCode == setup).UnitPrice.Units);
    }

    [Fact]
    public async Task Two_price_changes_in_one_billing_cycle_are_each_announced_against_the_price_before_them()
    {
        var (_, seat) = await host.NewProductAsync();
        var now = host.Clock.GetUtcNow();
        var follows = await host.SignedContractAsync(Id(), Terms(now, followsList: true), 12, (seat, 1));
        var keeps = await host.SignedContractAsync(Id(), Terms(now), 12, (seat, 1));

        var first = await host.Catalog.SchedulePriceChangeAsync(PriceChange(seat, 120m, now.AddDays(31)), Tokens.As(Roles.Administrator));
        var second = await host.Catalog.SchedulePriceChangeAsync(PriceChange(seat, 130m, now.AddDays(40)), Tokens.As(Roles.Administrator));

        var secondRows = (await AffectedAsync(second.PriceListId)).Select(Row).ToDictionary(r => r.Item1);
        // The contract following the list pays 120 by then; the one keeping its price still pays 100 until renewal.
        Assert.Equal((120m, 130m, now.AddDays(40)), (secondRows[follows.ContractId].Item2, secondRows[follows.ContractId].Item3, secondRows[follows.ContractId].Item4));
        Assert.Equal((100m, 130m, now.AddMonths(12)), (secondRows[keeps.ContractId].Item2, secondRows[keeps.ContractId].Item3, secondRows[keeps.ContractId].Item4));
        Assert.Equal(2, first.AffectedContractCount);
    }

    [Fact]
    public async Task Price_change_effective_on_a_renewal_date_applies_from_that_renewal()
    {
        var (_, seat) = await host.NewProductAsync();
        var now = host.Clock.GetUtcNow();
        var start = now.AddMonths(-10);
        var contract = await host.SignedContractAsync(Id(), Terms(start), 12, (seat, 1));
        var renewal = start.AddMonths(12);

        var list = await host.Catalog.SchedulePriceChangeAsync(PriceChange(seat, 150m, renewal), Tokens.As(Roles.Administrator));

        Assert.Contains((contract.ContractId, 100m, 150m, renewal), (await AffectedAsync(list.PriceListId)).Select(Row));
    }

    [Fact]
    public async Task Invalid_price_change_names_each_entry_field()
    {
        var before = await host.CountsAsync();
        var request = PriceChange("no.such.fee", -1m, host.Clock.GetUtcNow().AddDays(40));
        request.Entries.Add(new PriceEntry { FeeItemCode = "no.such.fee", UnitPrice = 5m.ToMoneyIn("USD") });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Catalog.SchedulePriceChangeAsync(request, Tokens.As(Roles.Administrator)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(["entries[0].unit_price", "entries[1].fee_item_code", "entries[1].unit_price"],
            e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await host.CountsAsync());
    }
}

internal static class MoneyIn
{
    public static Google.Type.Money ToMoneyIn(this decimal amount, string currency) => Platform.BuildingBlocks.Money.MoneyExtensions.ToMoney(amount, currency);
}
