using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Online.Domain;
using Platform.Payment.Online.Providers;

namespace Platform.Payment.Online.Application;

public enum SettlementOutcome
{
    /// <summary>The intent moved (and, when paid, the payment was recorded).</summary>
    Applied,

    /// <summary>The intent already knew this (a repeated notification or re-check): nothing changed.</summary>
    Repeated,

    /// <summary>No intent has that provider reference.</summary>
    UnknownIntent,

    /// <summary>The provider reported an amount other than the intent's: nothing changed.</summary>
    AmountMismatch,
}

/// <summary>
/// Applies what a provider reported about an intent (by notification or by re-check), once: the intent's row is
/// locked for the transaction, so concurrent twins queue and the second finds the state already moved. The first
/// success records the payment through <see cref="PaymentRecorder"/> (which raises PaymentReceived).
/// </summary>
public sealed class IntentSettlement(PaymentDb db, PaymentRecorder recorder, AuditTrail audit, TimeProvider clock, ILogger<IntentSettlement> log)
{
    public async Task<SettlementOutcome> ApplyAsync(string provider, string providerReference, WalletPaymentReport report, CancellationToken ct)
    {
        if (report.Status is WalletPaymentStatus.Pending or WalletPaymentStatus.Unknown)
        {
            return SettlementOutcome.Repeated;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var intent = (await db.Set<PaymentIntent>().FromSql(
                $"SELECT *, xmin FROM payment_intents WHERE provider = {provider} AND provider_reference = {providerReference} FOR UPDATE")
            .ToListAsync(ct)).SingleOrDefault();
        if (intent is null)
        {
            return SettlementOutcome.UnknownIntent;
        }

        var outcome = Apply(intent, report);
        if (outcome == SettlementOutcome.Applied)
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        return outcome;
    }

    private SettlementOutcome Apply(PaymentIntent intent, WalletPaymentReport report)
    {
        var now = clock.GetUtcNow();
        var actor = "provider:" + intent.Provider;
        if (report.Status == WalletPaymentStatus.Failed)
        {
            if (!intent.Fail(report.Reason ?? "the provider reported the payment failed", now))
            {
                return SettlementOutcome.Repeated;
            }

            audit.Record(actor, "payment_intent.failed", intent.Id.ToString(), intent.CustomerId, new { intent.FailureReason });
            return SettlementOutcome.Applied;
        }

        if (report.Amount is { } paid && paid != intent.Amount)
        {
            log.LogWarning(OnlineEvents.AmountMismatch, "Provider {Provider} reported {Reference} paid with {Paid}, the intent asks {Amount}; not applied",
                intent.Provider, intent.ProviderReference, paid, intent.Amount);
            return SettlementOutcome.AmountMismatch;
        }

        var payment = new Payment.Domain.Payment
        {
            Id = Guid.CreateVersion7(),
            CustomerId = intent.CustomerId,
            Method = intent.Method,
            State = PaymentState.Received,
            Amount = intent.Amount,
            Currency = intent.Currency,
            Reference = intent.ProviderReference,
            Collector = actor,
            ReceivedAt = report.PaidAt ?? now,
            ContractId = intent.ContractId,
            InvoiceIds = [.. intent.InvoiceIds],
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (!intent.Succeed(payment.Id, now))
        {
            return SettlementOutcome.Repeated;
        }

        recorder.Add(payment);
        audit.Record(actor, "payment_intent.succeeded", intent.Id.ToString(), intent.CustomerId, new { PaymentId = payment.Id, intent.ProviderReference });
        return SettlementOutcome.Applied;
    }
}
