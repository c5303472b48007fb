using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Online.Providers;
using Platform.Payment.Payouts.Domain;
using Platform.Payment.Payouts.Providers;

namespace Platform.Payment.Payouts.Application;

/// <summary>
/// Pays approved refunds out. <see cref="Request"/> stores the payout (once per refund id) in the consumer's
/// transaction; <see cref="SendAsync"/> later sends it to the provider under the refund id and, when the provider
/// answers paid or failed, publishes RefundPaid or RefundFailed through the outbox in the same save as the state. A payout
/// left in flight (still pending, or the provider could not be asked) is due again after a <see cref="Backoff"/>.
/// </summary>
public sealed class PayoutDesk(PaymentDb db, OnlineProviders wallets, IEnumerable<IPayoutProvider> payoutProviders, AuditTrail audit,
    IOptions<PayoutsOptions> options, TimeProvider clock, ILogger<PayoutDesk> log)
{
    public const string Actor = "system:payouts";

    /// <summary>Named on a payout when no bank payout provider is registered; such a payout fails (the money goes back to prepaid cash).</summary>
    public const string NoProvider = "none";

    private readonly IPayoutProvider? bank = payoutProviders.FirstOrDefault();

    /// <summary>Stores the payout of an approved refund unless one exists for its refund id (a redelivery or a re-publish).</summary>
    public async Task RequestAsync(RefundApproved approved, CancellationToken ct)
    {
        if (await db.Set<RefundPayout>().AnyAsync(p => p.RefundId == approved.RefundId, ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var original = approved.PaymentId is { } paymentId ? await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId, ct) : null;
        var wallet = original is { Method: PaymentMethod.Alipay or PaymentMethod.WechatPay, Reference: not null, State: PaymentState.Received }
            ? WalletFor(original.Method)
            : null;
        var payout = new RefundPayout
        {
            RefundId = approved.RefundId,
            CustomerId = approved.CustomerId,
            Amount = approved.Amount,
            Currency = approved.Currency,
            PaymentId = approved.PaymentId,
            Channel = wallet is null ? PayoutChannel.BankTransfer : PayoutChannel.WalletRefund,
            Provider = wallet?.Name ?? bank?.Name ?? NoProvider,
            PaymentReference = wallet is null ? null : original!.Reference,
            CreatedAt = now,
            NextCheckAt = now,
        };
        db.Set<RefundPayout>().Add(payout);
        audit.Record(Actor, "refund_payout.requested", payout.RefundId.ToString(), payout.CustomerId,
            new { payout.Amount, Channel = payout.Channel.ToString(), payout.Provider, payout.PaymentId });
    }

    /// <summary>Sends (or asks about) one payout in flight; answers whether it became final.</summary>
    public async Task<bool> SendAsync(Guid refundId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var payout = await db.Set<RefundPayout>().SingleAsync(p => p.RefundId == refundId, ct);
        if (payout.IsFinal)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        ProviderTransferReport report;
        try
        {
            report = await AskAsync(payout, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Unreachable, timed out, or a wallet provider no longer configured: the payout stays in flight (asked again
            // under the same key, it is still one payout) and the others go on.
            log.LogWarning(e, "The {Provider} provider could not be asked about the payout of refund {RefundId}; it is asked again later",
                payout.Provider, refundId);
            payout.Unanswered(e.Message, now);
            payout.NextCheckAt = NextCheck(payout, now);
            await db.SaveChangesAsync(ct);
            return false;
        }

        switch (report.Status)
        {
            case ProviderTransferStatus.Succeeded:
                payout.Paid(report.ProviderReference, now);
                db.Enqueue(new RefundPaid(Guid.CreateVersion7(), now, payout.RefundId, payout.CustomerId, payout.Amount, payout.Currency, payout.PaymentId), clock);
                audit.Record(Actor, "refund_payout.paid", payout.RefundId.ToString(), payout.CustomerId, new { payout.ProviderReference });
                break;
            case ProviderTransferStatus.Failed:
                payout.Failed(report.Reason ?? "the provider refused the payout", now);
                db.Enqueue(new RefundFailed(Guid.CreateVersion7(), now, payout.RefundId, payout.CustomerId, payout.FailureReason!), clock);
                audit.Record(Actor, "refund_payout.failed", payout.RefundId.ToString(), payout.CustomerId, new { payout.FailureReason });
                break;
            default:
                if (payout.State == PayoutState.Requested)
                {
                    payout.Submitted(report.ProviderReference, now);
                }

                payout.NextCheckAt = NextCheck(payout, now);
                break;
        }

        // xmin guards the transition: were a second sender ever to race this one, only one save (and one event) wins.
        await db.SaveChangesAsync(ct);
        return payout.IsFinal;
    }

    /// <summary>A payout already submitted is asked about first; one the provider never received is sent (again) under its key.</summary>
    private async Task<ProviderTransferReport> AskAsync(RefundPayout payout, CancellationToken ct)
    {
        if (payout.Channel == PayoutChannel.WalletRefund)
        {
            var provider = wallets.Named(payout.Provider);
            return (payout.State == PayoutState.Submitted ? await provider.QueryRefundAsync(payout.RefundId, ct) : null)
                ?? await provider.RefundAsync(payout.PaymentReference!, payout.RefundId, payout.Amount, ct);
        }

        if (bank is null || bank.Name != payout.Provider)
        {
            return new ProviderTransferReport(ProviderTransferStatus.Failed, Reason: $"no bank payout provider named {payout.Provider} is configured");
        }

        return (payout.State == PayoutState.Submitted ? await bank.QueryAsync(payout.RefundId, ct) : null)
            ?? await bank.TransferAsync(new PayoutOrder(payout.RefundId, payout.CustomerId, payout.Amount, payout.Currency), ct);
    }

    private DateTimeOffset NextCheck(RefundPayout payout, DateTimeOffset now) =>
        Backoff.NextTry(payout.CreatedAt, now, options.Value.Interval, options.Value.MaxCheckDelay);

    private IOnlinePaymentProvider? WalletFor(PaymentMethod method)
    {
        try
        {
            return wallets.For(method);
        }
        catch (InvalidOperationException)
        {
            return null; // no wallet provider serves it any more: pay by transfer
        }
    }
}
