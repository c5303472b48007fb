using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Billing.Application;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.Contracts.Events;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;

namespace Platform.Tests.Billing.Commerce;

/// <summary>A deposit takes the prepaid validity and refund policy of the contract it names only when the contract is the payer's.</summary>
public sealed class ContractDepositTests(CommerceHost host) : IClassFixture<CommerceHost>
{
    [Fact]
    public async Task A_payment_naming_another_customers_contract_is_deposited_without_that_contracts_terms()
    {
        var signer = Guid.NewGuid();
        var stranger = Guid.NewGuid();
        var (setup, _) = await host.NewProductAsync();
        var terms = Terms(host.Clock.GetUtcNow());
        terms.PrepaidValidityMonths = 6; // unlike the default (a year), so the lot's expiry tells which terms it got
        var contract = Guid.Parse((await host.SignedContractAsync(signer.ToString(), terms, 12, (setup, 1))).ContractId);
        var receivedAt = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
        var own = new PaymentReceived(Guid.CreateVersion7(), receivedAt, Guid.CreateVersion7(), signer, 300m, "CNY", "bank_transfer", receivedAt, ContractId: contract);
        var foreign = new PaymentReceived(Guid.CreateVersion7(), receivedAt, Guid.CreateVersion7(), stranger, 200m, "CNY", "bank_transfer", receivedAt, ContractId: contract);

        await host.PublishAsync(own);
        await host.PublishAsync(foreign);

        var lots = await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, List<PrepaidLotRow>>(db => db.Set<PrepaidLotRow>().AsNoTracking()
                .Where(l => l.TransferId == Postings.DepositId(own.PaymentId, 0) || l.TransferId == Postings.DepositId(foreign.PaymentId, 0)).ToListAsync()),
            l => l.Count == 2, what: "both payments to be deposited");
        var defaultDays = host.Billing.Services.GetRequiredService<IOptions<BillingOptions>>().Value.PrepaidValidityDays;
        Assert.Equal(receivedAt.AddMonths(6), lots.Single(l => l.CustomerId == signer).ExpiresAt);
        Assert.Equal(receivedAt.AddDays(defaultDays), lots.Single(l => l.CustomerId == stranger).ExpiresAt);

        var receipts = await host.Billing.QueryAsync<BillingDb, Dictionary<Guid, Guid?>>(db => db.Set<Receipt>().AsNoTracking()
            .Where(r => r.PaymentId == own.PaymentId || r.PaymentId == foreign.PaymentId).ToDictionaryAsync(r => r.PaymentId, r => r.ContractId));
        Assert.Equal(contract, receipts[own.PaymentId]);
        Assert.Null(receipts[foreign.PaymentId]); // so a refund of this money is not bounded by a stranger's refund policy
    }
}
