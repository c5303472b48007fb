using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Consumption.Jobs;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;
using LedgerAccount = Platform.Contracts.Billing.V1.LedgerAccount;

namespace Platform.Tests.Billing.Commerce.Consumption;

/// <summary>
/// The billing service with its charging job off (the tests run it at the times they choose), and what the
/// consumption tests share: products with a usage item, deposits, balances, charges.
/// </summary>
public sealed class ConsumptionHost : IAsyncLifetime
{
    public CommerceHost Commerce { get; } = new();

    public Platform.Contracts.Billing.V1.Consumption.ConsumptionClient Consumption => new(Commerce.Billing.Channel);

    public async Task InitializeAsync()
    {
        Commerce.Settings["Billing:Consumption:Enabled"] = "false";
        await Commerce.InitializeAsync();
    }

    public Task DisposeAsync() => Commerce.DisposeAsync();

    /// <summary>One round of the charging job at the fake clock's time (waits while the lock is taken elsewhere).</summary>
    public async Task<int> ChargeAsync()
    {
        int? handled = null;
        await Eventually.Until(async () => handled = await Commerce.Billing.Services.GetRequiredService<ContractChargingJob>().RunOnceAsync(CancellationToken.None),
            h => h is not null, what: "a charging round that took the lock");
        return handled!.Value;
    }

    /// <summary>Schedules a new list price of one fee item, as an administrator.</summary>
    public async Task ScheduleListPriceAsync(string code, decimal price, DateTimeOffset effective) =>
        await Commerce.Catalog.SchedulePriceChangeAsync(PriceChange(code, price, effective), Tokens.As(Roles.Administrator));

    /// <summary>A product: setup (one-time, 1000), seat (monthly, 100), sms (usage, 0.25); answers the codes.</summary>
    public async Task<(string Setup, string Seat, string Sms)> ProductAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var product = new CreateProductRequest { RequestId = Id(), Code = "crm-" + tag, Name = "CRM " + tag };
        product.FeeItems.Add(new FeeItem { Code = $"crm-{tag}.setup", Name = "Initial setup", Kind = FeeKind.OneTime });
        product.FeeItems.Add(new FeeItem { Code = $"crm-{tag}.seat", Name = "Seat per month", Kind = FeeKind.RecurringMonthly });
        product.FeeItems.Add(new FeeItem { Code = $"crm-{tag}.sms", Name = "Text message", Kind = FeeKind.Usage });
        await Commerce.Catalog.CreateProductAsync(product, Tokens.As(Roles.Administrator));
        var prices = new SchedulePriceChangeRequest { RequestId = Id(), EffectiveTime = Timestamp.FromDateTimeOffset(Commerce.Clock.GetUtcNow()) };
        prices.Entries.Add(new PriceEntry { FeeItemCode = $"crm-{tag}.setup", UnitPrice = Cny(1000m) });
        prices.Entries.Add(new PriceEntry { FeeItemCode = $"crm-{tag}.seat", UnitPrice = Cny(100m) });
        prices.Entries.Add(new PriceEntry { FeeItemCode = $"crm-{tag}.sms", UnitPrice = Cny(0.25m) });
        await Commerce.Catalog.SchedulePriceChangeAsync(prices, Tokens.As(Roles.Administrator));
        return ($"crm-{tag}.setup", $"crm-{tag}.seat", $"crm-{tag}.sms");
    }

    /// <summary>A signed prepaid contract starting now: one setup and <paramref name="seats"/> seats for <paramref name="months"/> months.</summary>
    public async Task<Contract> PrepaidContractAsync(string customer, (string Setup, string Seat, string Sms) product, int months, int seats = 2,
        PaymentMode mode = PaymentMode.Prepaid) =>
        await Commerce.SignedContractAsync(customer, Terms(Commerce.Clock.GetUtcNow(), mode), months, (product.Setup, 1), (product.Seat, seats));

    /// <summary>A new customer with a new product's prepaid contract for <paramref name="months"/> months, and <paramref name="deposit"/> received.</summary>
    public async Task<(string Customer, (string Setup, string Seat, string Sms) Product, Contract Contract)> FundedContractAsync(int months, decimal deposit)
    {
        var customer = Id();
        var product = await ProductAsync();
        var contract = await PrepaidContractAsync(customer, product, months);
        await DepositAsync(customer, deposit);
        return (customer, product, contract);
    }

    /// <summary>Money received for the customer (no invoice named: it pays the customer's open invoices first).</summary>
    public async Task DepositAsync(string customer, decimal amount)
    {
        var before = await AvailableAsync(customer);
        var now = Commerce.Clock.GetUtcNow();
        await Commerce.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), now, Guid.CreateVersion7(), Guid.Parse(customer), amount, "CNY", "bank_transfer", now));
        await Eventually.Until(() => AvailableAsync(customer), a => a == before + amount, what: "the deposit");
    }

    /// <summary>Prepaid cash plus promotional credit (0 before the account exists).</summary>
    public Task<decimal> AvailableAsync(string customer) => Commerce.Billing.QueryAsync<BillingDb, decimal>(async db =>
        await db.PrepaidAccounts.Where(a => a.CustomerId == Guid.Parse(customer)).Select(a => (decimal?)(a.PrepaidCash + a.PromotionalCredit)).SingleOrDefaultAsync() ?? 0m);

    public async Task<decimal> BalanceAsync(string customer, LedgerAccount account) =>
        (await Commerce.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customer }, Tokens.As(Roles.Service)))
        .Balances.Single(b => b.Account == account).Balance.ToDecimal();

    /// <summary>All the contract's charges through ListCharges, paging by 2 to go through the keyset pages.</summary>
    public async Task<List<Charge>> ChargesAsync(string contractId)
    {
        var all = new List<Charge>();
        var token = "";
        do
        {
            var page = await Consumption.ListChargesAsync(new ListChargesRequest { ContractId = contractId, PageSize = 2, PageToken = token }, Tokens.As(Roles.FinanceClerk));
            all.AddRange(page.Charges);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return all.OrderBy(c => c.DueTime.ToDateTimeOffset()).ThenBy(c => c.Kind).ToList();
    }

    /// <summary>What a refused request must leave untouched: charges, consumption transfers, invoices.</summary>
    public Task<string> WrittenAsync() => Commerce.Billing.QueryAsync<BillingDb, string>(async db => string.Join(",",
        await db.Set<ContractCharge>().CountAsync(),
        await db.Set<LedgerTransferRow>().CountAsync(t => t.Code == ChargePosting.Code),
        await db.Set<Platform.Billing.Commerce.Domain.Invoice>().CountAsync()));

    /// <summary>The ContractCharged events in the outbox for a contract.</summary>
    public async Task<List<string>> ChargedEventsAsync(string contractId) =>
        (await Commerce.OutboxAsync(nameof(ContractCharged))).Where(p => p.Contains(contractId, StringComparison.Ordinal)).ToList();
}
