using System.Net;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.Payment.Online.Jobs;
using static Platform.Tests.Payment.Online.OnlineHost;
using Intent = Platform.Payment.Online.Domain.PaymentIntent;

namespace Platform.Tests.Payment.Online;

/// <summary>The payment service re-checking one intent a pass, so whatever stands at the head of the batch is all a pass reaches.</summary>
public sealed class OneIntentPerPassHost : OnlineHost
{
    protected override IDictionary<string, string?> Extra => new Dictionary<string, string?> { ["Payment:Online:RecheckBatch"] = "1" };
}

/// <summary>The re-check moves on past the intents it cannot settle.</summary>
public sealed class IntentRecheckTests(OneIntentPerPassHost host) : IClassFixture<OneIntentPerPassHost>
{
    private Task<int> ChangeAsync(string intentId, Func<IQueryable<Intent>, Task<int>> update) =>
        host.Payment.QueryAsync<PaymentDb, int>(db => update(db.Set<Intent>().Where(i => i.Id == Guid.Parse(intentId))));

    private async Task RecheckAsync(int passes)
    {
        for (var pass = 0; pass < passes; pass++)
        {
            await host.RunAsync<IntentRecheckJob>();
        }
    }

    [Fact]
    public async Task Recheck_records_an_intent_paid_with_another_amount_and_goes_past_one_whose_provider_is_gone_to_the_intents_behind_it()
    {
        var customer = Id();
        var mismatched = await host.CreateIntentAsync(customer, 50m);
        Assert.Equal(HttpStatusCode.OK, await host.PostAsync($"/providers/simulator/orders/{mismatched.ProviderReference}/pay?notify=false"));
        // The provider took 50; the intent (as stored) asks 49.
        await ChangeAsync(mismatched.PaymentIntentId, q => q.ExecuteUpdateAsync(s => s.SetProperty(i => i.Amount, 49m)));
        var orphaned = await host.CreateIntentAsync(customer, 60m);
        await ChangeAsync(orphaned.PaymentIntentId, q => q.ExecuteUpdateAsync(s => s.SetProperty(i => i.Provider, "retired-wallet")));
        var lost = await host.CreateIntentAsync(customer, 70m);
        Assert.Equal(HttpStatusCode.OK, await host.PostAsync($"/providers/simulator/orders/{lost.ProviderReference}/pay?notify=false"));
        var unpaid = await host.CreateIntentAsync(customer, 80m);

        // One intent a pass: the one paid with another amount is recorded as paid, the one that cannot be asked takes a
        // pass, then the lost notification is found.
        host.Clock.Advance(TimeSpan.FromMinutes(3));
        await RecheckAsync(3);
        Assert.Equal(PaymentIntentState.Succeeded, (await host.IntentAsync(mismatched.PaymentIntentId)).State);
        Assert.Equal(PaymentIntentState.Succeeded, (await host.IntentAsync(lost.PaymentIntentId)).State);
        var recorded = await host.Payment.QueryAsync<PaymentDb, decimal>(db =>
            db.Payments.Where(p => p.Reference == mismatched.ProviderReference).Select(p => p.Amount).SingleAsync());
        Assert.Equal(50m, recorded);

        // Past the expiry every open intent gets its turn again: the unpaid one expires; the one nobody can ask stays as it is.
        host.Clock.Advance(TimeSpan.FromMinutes(30));
        await RecheckAsync(2);
        Assert.Equal(PaymentIntentState.Expired, (await host.IntentAsync(unpaid.PaymentIntentId)).State);
        Assert.Equal(PaymentIntentState.Pending, (await host.IntentAsync(orphaned.PaymentIntentId)).State);
        var checkedAt = await host.Payment.QueryAsync<PaymentDb, DateTimeOffset?>(db => db.Set<Intent>()
            .Where(i => i.Id == Guid.Parse(orphaned.PaymentIntentId)).Select(i => i.CheckedAt).SingleAsync());
        Assert.Equal(host.Clock.GetUtcNow(), checkedAt);
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains($"Re-checking payment intent {orphaned.PaymentIntentId} with the retired-wallet provider failed", StringComparison.Ordinal));
    }
}
