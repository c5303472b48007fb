using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Billing.Ledger;

/// <summary>Expiry, expiry reminders and low-balance warnings, each once per crossing; passes run at chosen instants.</summary>
public sealed class WatchTests(BillingHost host) : IClassFixture<BillingHost>
{
    private async Task<Guid> DepositAsync(decimal amount, DateTimeOffset receivedAt, Guid? customerId = null)
    {
        var id = customerId ?? Guid.CreateVersion7();
        var before = customerId is null ? 0m : await AvailableAsync(id);
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), id, amount, "CNY", "cash", receivedAt));
        await Eventually.Until(() => AvailableAsync(id), a => a == before + amount, what: "the deposit");
        return id;
    }

    private async Task<decimal> AvailableAsync(Guid customerId)
    {
        var found = await host.Billing.QueryAsync<BillingDb, decimal?>(db =>
            db.PrepaidAccounts.Where(a => a.CustomerId == customerId).Select(a => (decimal?)(a.PrepaidCash + a.PromotionalCredit)).SingleOrDefaultAsync());
        return found ?? -1m;
    }

    private Task<TransferResult> ConsumeAsync(Guid customerId, decimal amount) => host.Ledger.TransferAsync(new TransferRequest
    {
        TransferId = Guid.CreateVersion7().ToString(),
        CustomerId = customerId.ToString(),
        Code = "prepaid.consumed",
        Legs = { new TransferLeg { From = LedgerAccount.PrepaidCash, To = LedgerAccount.Revenue, Amount = amount.ToMoney("CNY") } },
    }, Tokens.As(Roles.Service)).ResponseAsync;

    private async Task<List<JsonElement>> EventsAsync<TEvent>(Guid customerId) => (await host.Billing.QueryAsync<BillingDb, List<string>>(db =>
        db.Database.SqlQuery<string>($"""
            SELECT payload::text AS "Value" FROM outbox_messages
            WHERE message_type = {typeof(TEvent).FullName} AND payload->>'customerId' = {customerId.ToString()} ORDER BY sequence
            """).ToListAsync())).Select(p => JsonDocument.Parse(p).RootElement).ToList();

    private Task Sql(string sql) => host.Billing.QueryAsync<BillingDb, int>(db => db.Database.ExecuteSqlRawAsync(sql));

    private async Task<int> RunAsync(Func<PrepaidWatch, Task<int>> pass)
    {
        await using var scope = host.Billing.Services.CreateAsyncScope();
        return await pass(scope.ServiceProvider.GetRequiredService<PrepaidWatch>());
    }

    [Fact]
    public async Task Expired_lots_move_to_revenue_once_and_are_announced()
    {
        var now = DateTimeOffset.UtcNow;
        var customerId = await DepositAsync(100m, now.AddDays(-400)); // expired 35 days ago
        await DepositAsync(50m, now, customerId); // still good

        await RunAsync(w => w.ExpireAsync(now, CancellationToken.None));
        await RunAsync(w => w.ExpireAsync(now, CancellationToken.None));

        Assert.Equal(50m, await AvailableAsync(customerId));
        var expired = Assert.Single(await EventsAsync<PrepaidExpired>(customerId));
        Assert.Equal(100m, expired.GetProperty("amount").GetDecimal());
        var check = await host.Ledger.CheckLedgerAsync(new CheckLedgerRequest { CustomerId = customerId.ToString() }, Tokens.As(Roles.Service));
        Assert.True(check.Sound, string.Join("\n", check.Violations));
    }

    [Fact]
    public async Task A_customer_whose_expiry_fails_is_left_to_the_next_round_and_the_others_expire()
    {
        var now = DateTimeOffset.UtcNow;
        var failing = await DepositAsync(30m, now.AddDays(-400)); // ordered first: its id is the older
        var other = await DepositAsync(40m, now.AddDays(-400));
        // The database refuses the failing customer's ledger entries.
        await using (await DatabaseRefusal.CreateAsync(Sql, "ledger_entries", "BEFORE INSERT", $"NEW.customer_id = '{failing}'"))
        {
            Assert.Equal(1, await RunAsync(w => w.ExpireAsync(now, CancellationToken.None)));
            Assert.Equal((30m, 0m), (await AvailableAsync(failing), await AvailableAsync(other)));
            Assert.Empty(await EventsAsync<PrepaidExpired>(failing));
        }

        await RunAsync(w => w.ExpireAsync(now, CancellationToken.None));
        Assert.Equal(0m, await AvailableAsync(failing));
        Assert.Single(await EventsAsync<PrepaidExpired>(failing));
        var check = await host.Ledger.CheckLedgerAsync(new CheckLedgerRequest { CustomerId = failing.ToString() }, Tokens.As(Roles.Service));
        Assert.True(check.Sound, string.Join("\n", check.Violations));
    }

    [Fact]
    public async Task Expiry_reminders_fire_at_30_7_and_1_days_once_each()
    {
        var now = DateTimeOffset.UtcNow;
        var customerId = await DepositAsync(80m, now.AddDays(-340)); // expires in 25 days

        var sent = new List<int>
        {
            await RunAsync(w => w.RemindAsync(now, CancellationToken.None)),
            await RunAsync(w => w.RemindAsync(now.AddDays(1), CancellationToken.None)),
            await RunAsync(w => w.RemindAsync(now.AddDays(19), CancellationToken.None)),
            await RunAsync(w => w.RemindAsync(now.AddDays(24.5), CancellationToken.None)),
            await RunAsync(w => w.RemindAsync(now.AddDays(24.6), CancellationToken.None)),
        };

        var reminders = await EventsAsync<PrepaidExpiring>(customerId);
        Assert.Equal(3, reminders.Count);
        Assert.Equal([30, 7, 1], reminders.Select(r => r.GetProperty("daysLeft").GetInt32()));
        Assert.Equal(0, sent[1]);
        Assert.Equal(0, sent[4]);
    }

    [Fact]
    public async Task Reminders_already_sent_for_a_merged_customers_lots_are_not_sent_again_to_the_survivor()
    {
        var now = DateTimeOffset.UtcNow;
        var mergedId = await DepositAsync(80m, now.AddDays(-340)); // expires in 25 days
        var survivorId = await DepositAsync(10m, now);
        await RunAsync(w => w.RemindAsync(now, CancellationToken.None));
        Assert.Equal([30], (await EventsAsync<PrepaidExpiring>(mergedId)).Select(r => r.GetProperty("daysLeft").GetInt32()));

        await host.PublishAsync(new CustomersMerged(Guid.CreateVersion7(), now, survivorId, mergedId));
        await Eventually.Until(() => AvailableAsync(survivorId), a => a == 90m, what: "the merged lot at the survivor");
        await RunAsync(w => w.RemindAsync(now.AddDays(1), CancellationToken.None));
        await RunAsync(w => w.RemindAsync(now.AddDays(19), CancellationToken.None));
        await RunAsync(w => w.RemindAsync(now.AddDays(24.5), CancellationToken.None));

        var survivorReminders = await EventsAsync<PrepaidExpiring>(survivorId);
        Assert.Equal([7, 1], survivorReminders.Select(r => r.GetProperty("daysLeft").GetInt32()));
        Assert.All(survivorReminders, r => Assert.Equal(80m, r.GetProperty("amount").GetDecimal()));
        Assert.Single(await EventsAsync<PrepaidExpiring>(mergedId));
    }

    [Fact]
    public async Task Low_balance_by_amount_fires_once_per_crossing()
    {
        var customerId = await DepositAsync(500m, DateTimeOffset.UtcNow); // threshold 100 (default)

        await ConsumeAsync(customerId, 350m); // 150 left
        await ConsumeAsync(customerId, 100m); // 50: crossed
        await ConsumeAsync(customerId, 10m); // 40: still below
        Assert.Single(await EventsAsync<PrepaidBalanceLow>(customerId));

        await DepositAsync(500m, DateTimeOffset.UtcNow, customerId); // 540: above again
        await ConsumeAsync(customerId, 450m); // 90: crossed again
        Assert.Equal(2, (await EventsAsync<PrepaidBalanceLow>(customerId)).Count);
    }

    [Fact]
    public async Task Low_runway_fires_once_until_the_balance_recovers()
    {
        var now = DateTimeOffset.UtcNow;
        var customerId = await DepositAsync(10_000m, now);
        await ConsumeAsync(customerId, 3_000m); // burn 100/day over 30 days; 7,000 left = 70 days

        await RunAsync(w => w.WatchRunwayAsync(now, CancellationToken.None));
        Assert.Empty(await EventsAsync<PrepaidBalanceLow>(customerId));

        await ConsumeAsync(customerId, 6_000m); // burn 300/day; 1,000 left = 3.3 days
        await RunAsync(w => w.WatchRunwayAsync(now, CancellationToken.None));
        await RunAsync(w => w.WatchRunwayAsync(now, CancellationToken.None));
        var low = Assert.Single(await EventsAsync<PrepaidBalanceLow>(customerId));
        Assert.Equal("runway", low.GetProperty("trigger").GetString());
        Assert.Equal(3.3m, low.GetProperty("runwayDays").GetDecimal());

        await DepositAsync(20_000m, now, customerId); // 21,000 left = 70 days: recovered
        await RunAsync(w => w.WatchRunwayAsync(now, CancellationToken.None));
        await ConsumeAsync(customerId, 18_000m); // burn 900/day; 3,000 left = 3.3 days: crossed again
        await RunAsync(w => w.WatchRunwayAsync(now, CancellationToken.None));
        Assert.Equal(2, (await EventsAsync<PrepaidBalanceLow>(customerId)).Count(e => e.GetProperty("trigger").GetString() == "runway"));
    }

    [Fact]
    public async Task Scheduled_check_raises_the_alarm_when_a_balance_no_longer_matches_its_entries()
    {
        var customerId = await DepositAsync(70m, DateTimeOffset.UtcNow);
        // A change made around the ledger (not through a transfer): the kind of damage the check exists to catch.
        await host.Billing.QueryAsync<BillingDb, int>(db =>
            db.Database.ExecuteSqlAsync($"UPDATE prepaid_accounts SET prepaid_cash = prepaid_cash + 1 WHERE customer_id = {customerId}"));

        var job = host.Billing.Services.GetRequiredService<LedgerCheckJob>();
        var found = await Eventually.Until(() => job.RunOnceAsync(CancellationToken.None), f => f is not null, what: "the check's lock (the host's own pass may hold it)");

        Assert.True(found >= 2); // prepaid cash != its entries; lots != prepaid cash
        var alarm = await host.Billing.QueryAsync<BillingDb, string>(db => db.Database.SqlQuery<string>($"""
            SELECT payload::text AS "Value" FROM outbox_messages WHERE message_type = {typeof(LedgerInvariantBroken).FullName} ORDER BY sequence DESC LIMIT 1
            """).SingleAsync());
        Assert.Contains(customerId.ToString(), alarm, StringComparison.Ordinal);
        await host.Billing.QueryAsync<BillingDb, int>(db =>
            db.Database.ExecuteSqlAsync($"UPDATE prepaid_accounts SET prepaid_cash = prepaid_cash - 1 WHERE customer_id = {customerId}"));
    }
}
