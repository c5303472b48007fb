using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Scheduling;
using Platform.Payment.Data;
using Platform.Payment.Online.Application;
using Platform.Payment.Online.Domain;
using Platform.Payment.Online.Providers;

namespace Platform.Payment.Online.Jobs;

/// <summary>
/// Asks the provider about every intent still pending (or unknown to the provider) <see cref="OnlineOptions.RecheckAfter"/>
/// after it was created, until it is final: a notification can be lost, and the provider is the authority. An intent
/// past its expiry that the provider still reports unpaid is closed at the provider and expired. Every pass takes the
/// intents asked about least recently, and each one left open is stamped <see cref="PaymentIntent.CheckedAt"/>: one that
/// cannot be asked (the provider fails, or is no longer configured) or that the provider reports paid with an amount
/// the book cannot keep stays open and goes behind the others instead of holding the head of every batch.
/// </summary>
public sealed class IntentRecheckJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<OnlineOptions> options, ILogger<IntentRecheckJob> log)
    : ScheduledJob<PaymentDb>(scopes, clock, log)
{
    protected override string Name => "payment.intent-recheck";

    protected override TimeSpan Interval => options.Value.RecheckInterval;

    protected override async Task<int> RunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var db = services.GetRequiredService<PaymentDb>();
        var providers = services.GetRequiredService<OnlineProviders>();
        var settlement = services.GetRequiredService<IntentSettlement>();
        var due = now - options.Value.RecheckAfter;
        var open = await db.Set<PaymentIntent>().AsNoTracking()
            .Where(i => (i.State == IntentState.Created || i.State == IntentState.Pending) && i.CreatedAt <= due)
            .OrderBy(i => i.CheckedAt ?? DateTimeOffset.MinValue).ThenBy(i => i.Id)
            .Take(options.Value.RecheckBatch)
            .Select(i => new { i.Id, i.Provider, i.ProviderReference, i.ExpiresAt })
            .ToListAsync(ct);
        var finalized = 0;
        foreach (var intent in open)
        {
            var final = false;
            try
            {
                var report = intent.ProviderReference is { } reference
                    ? await providers.Named(intent.Provider).QueryAsync(reference, ct)
                    : new WalletPaymentReport(WalletPaymentStatus.Unknown);
                final = report.Status is WalletPaymentStatus.Paid or WalletPaymentStatus.Failed
                    ? await settlement.ApplyAsync(intent.Provider, intent.ProviderReference!, report, ct) == SettlementOutcome.Applied
                    : now >= intent.ExpiresAt && await ExpireAsync(db, providers, intent.Id, now, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Nothing of this intent is saved by the next one's save.
                db.ChangeTracker.Clear();
                log.LogWarning(OnlineEvents.RecheckFailed, e, "Re-checking payment intent {IntentId} with the {Provider} provider failed; it is asked again after the others",
                    intent.Id, intent.Provider);
            }

            if (final)
            {
                finalized++;
            }
            else
            {
                await db.Set<PaymentIntent>().Where(i => i.Id == intent.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.CheckedAt, now), ct);
            }
        }

        return finalized;
    }

    private async Task<bool> ExpireAsync(PaymentDb db, OnlineProviders providers, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var intent = (await db.Set<PaymentIntent>().FromSql($"SELECT *, xmin FROM payment_intents WHERE id = {id} FOR UPDATE").ToListAsync(ct)).Single();
        if (intent.ProviderReference is { } reference)
        {
            // Closed first: once closed the payer cannot pay, so expiring cannot lose a payment made meanwhile
            // (and one made just before still arrives, and is recorded: Succeed is allowed from Expired).
            await providers.Named(intent.Provider).CloseAsync(reference, ct);
        }

        if (!intent.Expire(now))
        {
            return false;
        }

        intent.CheckedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation(OnlineEvents.IntentExpired, "Payment intent {IntentId} expired unpaid", intent.Id);
        return true;
    }
}
