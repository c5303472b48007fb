using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Money;
using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Exceptions.Domain;
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

    /// <summary>The provider reported a paid amount of zero or less, or one the book cannot keep: nothing changed.</summary>
    InvalidAmount,
}

/// <summary>
/// Applies what a provider reported about an intent (by notification or by re-check), once: the intent's row is
/// locked for the transaction, so concurrent twins queue and the second finds the state already moved. The first
/// success records the payment through <see cref="PaymentRecorder"/> (which raises PaymentReceived).
/// </summary>
/// <remarks>
/// The provider is the authority on the money: a payment it reports with another amount than the intent asked is
/// recorded with the amount paid, so the money the payer parted with is never left out of the book. An intent that
/// named invoices gets its over- or under-payment from billing's allocation, like any payment naming invoices; a
/// deposit intent gets the work item here, for the difference.
/// </remarks>
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

        var paid = report.Amount ?? intent.Amount;
        if (paid <= 0 || paid > MoneyValidation.MaxAmount || decimal.Round(paid, MoneyValidation.Scale) != paid)
        {
            log.LogWarning(OnlineEvents.AmountMismatch, "Provider {Provider} reported {Reference} paid with {Paid}, not an amount the book keeps; not applied",
                intent.Provider, intent.ProviderReference, paid);
            return SettlementOutcome.InvalidAmount;
        }

        var payment = new Payment.Domain.Payment
        {
            Id = Guid.CreateVersion7(),
            CustomerId = intent.CustomerId,
            Method = intent.Method,
            State = PaymentState.Received,
            Amount = paid,
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
        if (paid != intent.Amount)
        {
            log.LogWarning(OnlineEvents.AmountMismatch, "Provider {Provider} reported {Reference} paid with {Paid}, the intent asked {Amount}; recorded as paid",
                intent.Provider, intent.ProviderReference, paid, intent.Amount);
            if (intent.InvoiceIds.Count == 0)
            {
                var (kind, word) = paid > intent.Amount ? (WorkItemKind.OverPayment, "more") : (WorkItemKind.UnderPayment, "less");
                db.Set<WorkItem>().Add(WorkItem.Open(kind, payment.Id, intent.CustomerId, Math.Abs(paid - intent.Amount), intent.Currency, now,
                    $"wallet payment {intent.ProviderReference}: {Math.Abs(paid - intent.Amount)} {intent.Currency} {word} than the intent's {intent.Amount} was paid, and recorded as paid"));
            }
        }

        audit.Record(actor, "payment_intent.succeeded", intent.Id.ToString(), intent.CustomerId,
            new { PaymentId = payment.Id, intent.ProviderReference, Asked = intent.Amount, Paid = paid });
        return SettlementOutcome.Applied;
    }
}
