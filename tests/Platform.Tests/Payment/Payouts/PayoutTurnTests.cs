using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Events;
using Platform.Payment.Data;
using Platform.Payment.Payouts.Domain;
using Platform.Payment.Payouts.Jobs;
using Platform.Testing;
using Platform.Tests.Payment.Online;

namespace Platform.Tests.Payment.Payouts;

/// <summary>A bank that settles transfers after an hour, and a payout job that handles one payout a pass.</summary>
public sealed class OnePayoutPerPassHost : OnlineHost
{
    protected override IDictionary<string, string?> Extra => new Dictionary<string, string?>
    {
        ["Payment:Payouts:Batch"] = "1",
        ["Payment:Payouts:Simulator:SettleAfter"] = "01:00:00",
    };
}

/// <summary>Payouts in flight take turns: none of them keeps the others from being sent.</summary>
public sealed class PayoutTurnTests(OnePayoutPerPassHost host) : IClassFixture<OnePayoutPerPassHost>
{
    private Task<RefundPayout> PayoutAsync(Guid refundId) =>
        host.Payment.QueryAsync<PaymentDb, RefundPayout>(db => db.Set<RefundPayout>().AsNoTracking().SingleAsync(p => p.RefundId == refundId));

    private async Task<Guid> ApprovedAsync(decimal amount)
    {
        var approved = new RefundApproved(Guid.NewGuid(), host.Clock.GetUtcNow(), Guid.NewGuid(), Guid.NewGuid(), amount, "CNY");
        await host.PublishAsync(approved);
        await Eventually.Until(() => host.Payment.QueryAsync<PaymentDb, bool>(db => db.Set<RefundPayout>().AnyAsync(p => p.RefundId == approved.RefundId)),
            stored => stored, what: "the payout stored");
        return approved.RefundId;
    }

    private async Task PayOutAsync(int passes)
    {
        for (var pass = 0; pass < passes; pass++)
        {
            await host.RunAsync<PayoutJob>();
        }
    }

    [Fact]
    public async Task A_new_payout_is_sent_while_older_ones_wait_for_the_bank_or_for_a_wallet_provider_no_longer_configured()
    {
        // The oldest payout in flight: a wallet refund through a provider taken out of the configuration since.
        var since = host.Clock.GetUtcNow().AddMinutes(-1);
        var orphaned = new RefundPayout
        {
            RefundId = Guid.NewGuid(),
            CustomerId = Guid.NewGuid(),
            Amount = 30m,
            Currency = "CNY",
            Channel = PayoutChannel.WalletRefund,
            Provider = "retired-wallet",
            PaymentReference = "RW-" + Guid.NewGuid().ToString("N")[..8],
            CreatedAt = since,
            NextCheckAt = since,
        };
        await host.Payment.QueryAsync<PaymentDb, int>(db =>
        {
            db.Set<RefundPayout>().Add(orphaned);
            return db.SaveChangesAsync();
        });
        var first = await ApprovedAsync(1200m);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await ApprovedAsync(800m);

        // One payout a pass: the orphaned one cannot be asked, the first transfer is accepted (the bank pays it in an
        // hour), and the second is sent next instead of either of them being asked again.
        await PayOutAsync(3);
        Assert.Equal(PayoutState.Submitted, (await PayoutAsync(first)).State);
        Assert.Equal(PayoutState.Submitted, (await PayoutAsync(second)).State);
        var waiting = await PayoutAsync(orphaned.RefundId);
        Assert.Equal((PayoutState.Requested, 1), (waiting.State, waiting.Attempts));
        Assert.Contains("retired-wallet", waiting.LastError, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains($"payout of refund {orphaned.RefundId}", StringComparison.Ordinal));

        // Two hours on, the bank has paid both transfers; each is answered once, and the orphaned payout is still in flight.
        host.Clock.Advance(TimeSpan.FromHours(2));
        await PayOutAsync(3);
        Assert.Equal(PayoutState.Paid, (await PayoutAsync(first)).State);
        Assert.Equal(PayoutState.Paid, (await PayoutAsync(second)).State);
        var paid = (await host.OutboxAsync<RefundPaid>()).Select(e => e.GetProperty("refundId").GetGuid()).ToList();
        Assert.Equal(new[] { first, second }.Order(), paid.Order());
        Assert.Equal(PayoutState.Requested, (await PayoutAsync(orphaned.RefundId)).State);
    }
}
