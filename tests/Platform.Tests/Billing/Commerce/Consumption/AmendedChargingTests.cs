using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Consumption.Jobs;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;
using Domain = Platform.Billing.Commerce.Domain;
using ChargeSettlement = Platform.Billing.Commerce.Consumption.Domain.ChargeSettlement;
using LedgerAccount = Platform.Contracts.Billing.V1.LedgerAccount;

namespace Platform.Tests.Billing.Commerce.Consumption;

/// <summary>The charging job following signed amendments and the price list of contracts that follow it.</summary>
public sealed class AmendedChargingTests(ConsumptionHost host) : IClassFixture<ConsumptionHost>
{
    private CommerceHost Commerce => host.Commerce;

    [Fact]
    public async Task A_signed_amendment_is_charged_from_its_signing_once_through_reruns_and_two_replicas_and_an_unsigned_one_not_at_all()
    {
        var customer = Id();
        var start = Commerce.Clock.GetUtcNow();
        var product = await host.ProductAsync();
        var extra = await host.ProductAsync();
        var contract = await host.PrepaidContractAsync(customer, product, months: 6, seats: 2);
        var id = Guid.Parse(contract.ContractId);
        await host.DepositAsync(customer, 20_000m);
        await host.ChargeAsync();
        Commerce.Clock.Advance(start.AddMonths(1).AddDays(3) - Commerce.Clock.GetUtcNow());
        await host.ChargeAsync();

        // Within month 2: three seats instead of two, a seat of another product and its setup.
        var signedAt = Commerce.Clock.GetUtcNow();
        var amendment = await AmendAsync(contract.ContractId, sign: true, (product.Seat, 3), (extra.Seat, 1), (extra.Setup, 1));
        await AmendAsync(contract.ContractId, sign: false, (product.Seat, 10));
        await host.ChargeAsync();
        await host.ChargeAsync();
        for (var month = 2; month <= 7; month++)
        {
            Commerce.Clock.Advance(start.AddMonths(month) - Commerce.Clock.GetUtcNow());
            if (month == 3)
            {
                await TwoReplicasAsync();
            }

            await host.ChargeAsync();
            await host.ChargeAsync();
        }

        var signed = await Commerce.Billing.QueryAsync<BillingDb, Domain.Contract>(db => db.Set<Domain.Contract>().AsSplitQuery().AsNoTracking().SingleAsync(c => c.Id == id));
        var before = ChargePlan.Of(signed);
        List<(string Code, string Period, int Quantity, decimal Amount, DateTimeOffset DueAt)> expected =
        [
            .. before.Take(3).Select(c => (c.FeeItemCode, c.Period, c.Quantity, c.Amount, c.DueAt)), // initial, months 1 and 2 at two seats
            (extra.Setup, "amendment-001", 1, 1000m, signedAt),
            .. Enumerable.Range(3, 4).SelectMany(n => new[]
            {
                (product.Seat, ChargePlan.MonthPeriod(n), 3, 300m, start.AddMonths(n - 1)),
                (extra.Seat, ChargePlan.MonthPeriod(n), 1, 100m, start.AddMonths(n - 1)),
            }),
        ];
        Assert.Equal(["initial", "month-001", "month-002"], before.Take(3).Select(c => c.Period));
        var rows = await Commerce.Billing.QueryAsync<BillingDb, List<ContractCharge>>(db => db.Set<ContractCharge>().AsNoTracking().Where(c => c.ContractId == id).ToListAsync());
        Assert.Equal(expected.OrderBy(e => e.Code).ThenBy(e => e.Period),
            rows.Select(r => (r.FeeItemCode, r.Period, r.Quantity, r.Amount, r.DueAt)).OrderBy(e => e.FeeItemCode).ThenBy(e => e.Period));
        Assert.All(rows, r => Assert.Equal((ChargeSettlement.Prepaid, ChargePosting.TransferId(id, r.FeeItemCode, r.Period)), (r.Settlement, r.TransferId)));

        // Each charge is one consumption transfer with the charge's id, and the money moved is what the rows say.
        var charged = expected.Sum(e => e.Amount);
        var transfers = await Commerce.Billing.QueryAsync<BillingDb, List<Guid>>(db =>
            db.Set<LedgerTransferRow>().Where(t => t.CustomerId == Guid.Parse(customer) && t.Code == ChargePosting.Code).Select(t => t.Id).ToListAsync());
        Assert.Equal(expected.Select(e => ChargePosting.TransferId(id, e.Code, e.Period)).Order(), transfers.Order());
        Assert.Equal(charged, await host.BalanceAsync(customer, LedgerAccount.Revenue));
        Assert.Equal(20_000m - charged, await host.AvailableAsync(customer));

        var events = (await host.ChargedEventsAsync(contract.ContractId)).Select(e => JsonSerializer.Deserialize<JsonElement>(e)).ToList();
        Assert.Equal(12, events.Count);
        Assert.Equal(9, events.Count(e => e.GetProperty("amendmentId").GetString() == amendment));
        Assert.Equal(3, events.Count(e => e.GetProperty("amendmentId").ValueKind == JsonValueKind.Null));
    }

    [Fact]
    public async Task A_contract_following_the_list_is_charged_the_new_price_from_its_effective_date_and_one_that_keeps_its_price_is_not()
    {
        var start = Commerce.Clock.GetUtcNow();
        var product = await host.ProductAsync();
        var (follower, keeper) = (Id(), Id());
        var follows = await Commerce.SignedContractAsync(follower, Terms(start, PaymentMode.Prepaid, autoRenew: false, followsList: true), 4, (product.Setup, 1), (product.Seat, 2));
        var keeps = await Commerce.SignedContractAsync(keeper, Terms(start, PaymentMode.Prepaid, autoRenew: false), 4, (product.Setup, 1), (product.Seat, 2));
        await host.DepositAsync(follower, 10_000m);
        await host.DepositAsync(keeper, 10_000m);
        await host.ChargeAsync();

        // 40 days' notice: months 1 and 2 start before it, months 3 and 4 after.
        var change = new SchedulePriceChangeRequest { RequestId = Id(), EffectiveTime = Timestamp.FromDateTimeOffset(start.AddDays(40)) };
        change.Entries.Add(new PriceEntry { FeeItemCode = product.Seat, UnitPrice = Cny(120m) });
        await Commerce.Catalog.SchedulePriceChangeAsync(change, Tokens.As(Roles.Administrator));
        for (var month = 1; month <= 4; month++)
        {
            Commerce.Clock.Advance(start.AddMonths(month) - Commerce.Clock.GetUtcNow());
            await host.ChargeAsync();
            await host.ChargeAsync();
        }

        var (followsPlan, ratio) = await PlanAsync(follows.ContractId);
        var newPrice = decimal.Round(120m * 2 * ratio, 2, MidpointRounding.AwayFromZero);
        Assert.NotEqual(followsPlan[3].Amount, newPrice);
        Assert.Equal(
            [.. followsPlan.Take(3).Select(c => (c.Period, c.Amount)), ("month-003", newPrice), ("month-004", newPrice)],
            (await host.ChargesAsync(follows.ContractId)).Select(c => (c.Period, c.Amount.ToDecimal())));
        Assert.Equal(followsPlan.Take(3).Sum(c => c.Amount) + 2 * newPrice, await host.BalanceAsync(follower, LedgerAccount.Revenue));

        var (keepsPlan, _) = await PlanAsync(keeps.ContractId);
        Assert.Equal(keepsPlan.Select(c => (c.Period, c.Amount)), (await host.ChargesAsync(keeps.ContractId)).Select(c => (c.Period, c.Amount.ToDecimal())));
        Assert.Equal(keeps.Total.ToDecimal(), await host.BalanceAsync(keeper, LedgerAccount.Revenue));
    }

    [Fact]
    public async Task An_item_added_by_amendment_to_a_contract_following_the_list_is_told_of_a_price_change_and_charged_the_new_price()
    {
        var start = Commerce.Clock.GetUtcNow();
        var (product, extra) = (await host.ProductAsync(), await host.ProductAsync());
        var customer = Id();
        var contract = await Commerce.SignedContractAsync(customer, Terms(start, PaymentMode.Prepaid, autoRenew: false, followsList: true), 4,
            (product.Setup, 1), (product.Seat, 1));
        await host.DepositAsync(customer, 10_000m);
        await host.ChargeAsync();
        Commerce.Clock.Advance(TimeSpan.FromDays(1));
        var amendment = await AmendAsync(contract.ContractId, sign: true, (extra.Seat, 2));

        var change = new SchedulePriceChangeRequest { RequestId = Id(), EffectiveTime = Timestamp.FromDateTimeOffset(start.AddDays(40)) };
        change.Entries.Add(new PriceEntry { FeeItemCode = extra.Seat, UnitPrice = Cny(150m) });
        var list = await Commerce.Catalog.SchedulePriceChangeAsync(change, Tokens.As(Roles.Administrator));
        for (var month = 1; month <= 4; month++)
        {
            Commerce.Clock.Advance(start.AddMonths(month) - Commerce.Clock.GetUtcNow());
            await host.ChargeAsync();
        }

        var affected = (await Commerce.OutboxAsync("PriceChangeScheduled")).Select(p => JsonSerializer.Deserialize<JsonElement>(p))
            .Single(e => e.GetProperty("priceListId").GetString() == list.PriceListId).GetProperty("affectedContracts").EnumerateArray()
            .Select(a => (a.GetProperty("contractId").GetString(), a.GetProperty("feeItemCode").GetString(), a.GetProperty("oldPrice").GetDecimal(),
                a.GetProperty("newPrice").GetDecimal(), a.GetProperty("effectiveAt").GetDateTimeOffset()));
        Assert.Contains((contract.ContractId, extra.Seat, 100m, 150m, start.AddDays(40)), affected);
        // Added within month 1: charged from month 2, at its own price (no discount), then at the new list price.
        var added = (await host.ChargesAsync(contract.ContractId)).Where(c => c.FeeItemCode == extra.Seat);
        Assert.Equal([("month-002", 200m), ("month-003", 300m), ("month-004", 300m)], added.Select(c => (c.Period, c.Amount.ToDecimal())));
        var events = (await host.ChargedEventsAsync(contract.ContractId)).Select(e => JsonSerializer.Deserialize<JsonElement>(e));
        Assert.Equal(3, events.Count(e => e.GetProperty("amendmentId").GetString() == amendment));
    }

    [Fact]
    public async Task Usage_after_an_amendment_listing_the_item_is_charged_at_the_amendment_s_price_and_before_it_at_the_contract_s()
    {
        var (customer, product, contract) = await host.FundedContractAsync(months: 6, deposit: 1_000m);
        // The text message goes from 0.25 to 0.5 on the list; the contract, signed at 0.25, keeps that price.
        await host.ScheduleListPriceAsync(product.Sms, 0.5m, Commerce.Clock.GetUtcNow().AddDays(31));
        Commerce.Clock.Advance(TimeSpan.FromDays(32));

        // An amendment adds a bundle of text messages, priced at the list of its day.
        var signedAt = Commerce.Clock.GetUtcNow();
        var amendment = await AmendAsync(contract.ContractId, sign: true, (product.Sms, 1000));
        Commerce.Clock.Advance(TimeSpan.FromHours(2));
        var before = await RecordUsageAsync(contract.ContractId, product.Sms, 120, signedAt.AddHours(-1));
        var after = await RecordUsageAsync(contract.ContractId, product.Sms, 120, signedAt.AddHours(1));

        Assert.Equal((30m, 60m), (before.Amount.ToDecimal(), after.Amount.ToDecimal()));
        var usageEvents = (await host.ChargedEventsAsync(contract.ContractId)).Select(e => JsonSerializer.Deserialize<JsonElement>(e))
            .Where(e => e.GetProperty("period").GetString()!.StartsWith("usage:", StringComparison.Ordinal))
            .ToDictionary(e => e.GetProperty("period").GetString()!, e => e.GetProperty("amendmentId").GetString());
        Assert.Equal(new Dictionary<string, string?> { [before.Period] = null, [after.Period] = amendment }, usageEvents);
        Assert.Equal(1_000m - 90m, await host.AvailableAsync(customer));
    }

    private async Task<Charge> RecordUsageAsync(string contractId, string item, int quantity, DateTimeOffset at) =>
        await host.Consumption.RecordUsageAsync(new RecordUsageRequest
        {
            RequestId = Id(), ContractId = contractId, FeeItemCode = item, Quantity = quantity, UsageTime = Timestamp.FromDateTimeOffset(at),
        }, Tokens.As(Roles.FinanceClerk));

    /// <summary>The contract's schedule from the contract alone, and its discount ratio.</summary>
    private async Task<(IReadOnlyList<PlannedCharge> Plan, decimal Ratio)> PlanAsync(string contractId)
    {
        var contract = await Commerce.Billing.QueryAsync<BillingDb, Domain.Contract>(db =>
            db.Set<Domain.Contract>().AsSplitQuery().AsNoTracking().SingleAsync(c => c.Id == Guid.Parse(contractId)));
        return (ChargePlan.Of(contract), contract.Total / contract.Subtotal);
    }

    /// <summary>An amendment of the items, signed by both parties when <paramref name="sign"/>; answers its id.</summary>
    private async Task<string> AmendAsync(string contractId, bool sign, params (string Code, int Quantity)[] items)
    {
        var request = new AmendContractRequest { RequestId = Id(), ContractId = contractId, Description = "more seats" };
        request.Items.AddRange(items.Select(i => new ItemRequest { FeeItemCode = i.Code, Quantity = i.Quantity }));
        var amended = await Commerce.Contracts.AmendContractAsync(request, Tokens.As(Roles.SalesRep));
        var amendmentId = amended.Amendments.MaxBy(a => a.Sequence)!.AmendmentId;
        if (sign)
        {
            await Commerce.Contracts.SignAmendmentAsync(new SignAmendmentRequest
            {
                RequestId = Id(), ContractId = contractId, AmendmentId = amendmentId, Party = SignatureParty.Customer, SignerName = "Wang Fang",
            }, Tokens.As(Roles.SalesRep));
            var both = await Commerce.Contracts.SignAmendmentAsync(new SignAmendmentRequest
            {
                RequestId = Id(), ContractId = contractId, AmendmentId = amendmentId, Party = SignatureParty.Company, SignerName = "Zhao Lei",
            }, Tokens.As(Roles.SalesManager));
            Assert.NotNull(both.Amendments.Single(a => a.AmendmentId == amendmentId).SignTime);
        }

        return amendmentId;
    }

    /// <summary>Two scopes standing for two replicas running a charging round at the same moment (no job lock between them).</summary>
    private async Task TwoReplicasAsync()
    {
        var now = Commerce.Clock.GetUtcNow();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var scope = Commerce.Billing.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ContractCharging>().ChargeDueAsync(now, CancellationToken.None);
        }));
    }
}
