using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Exceptions.Domain;

namespace Platform.Payment.Application;

/// <summary>
/// Adds payments to the book and announces received money. Every way money comes in (recording by a person, an online
/// intent that succeeded, a cleared cheque, a matched suspense item) goes through here, so <c>PaymentReceived</c> is
/// raised in exactly one place, in the same transaction as the payment's state change. A payment that needs a person
/// (unidentified payer, failed attempt, bounced cheque) gets its exception work item here too, so no path can forget
/// it. Taking an announcement back (<c>PaymentReversed</c>) happens here as well, for the same reason. The caller saves.
/// </summary>
public sealed class PaymentRecorder(PaymentDb db, TimeProvider clock)
{
    /// <summary>
    /// Adds <paramref name="payment"/>; when it is already received, queues <c>PaymentReceived</c>; when it is
    /// unidentified or failed, opens its work item.
    /// </summary>
    public void Add(Domain.Payment payment)
    {
        db.Payments.Add(payment);
        if (payment.State == PaymentState.Received)
        {
            Announce(payment);
        }

        if (WorkItem.OnRecorded(payment, clock.GetUtcNow()) is { } item)
        {
            db.Set<WorkItem>().Add(item);
        }
    }

    /// <summary>Moves a pending or unidentified payment to received (a cheque cleared, a payer identified) and announces it.</summary>
    public void MarkReceived(Domain.Payment payment)
    {
        if (payment.State is not (PaymentState.Pending or PaymentState.Unidentified))
        {
            throw new InvalidOperationException($"A {payment.State} payment cannot become received.");
        }

        if (payment.CustomerId is null)
        {
            throw new InvalidOperationException("A payment becomes received only once its payer is known.");
        }

        payment.State = PaymentState.Received;
        payment.UpdatedAt = clock.GetUtcNow();
        Announce(payment);
    }

    /// <summary>
    /// A cheque bounced: raises <c>PaymentBounced</c> and opens a work item; the bounced state is what credit counts. A
    /// cheque that had cleared was announced as received, so its announcement is taken back too (<c>PaymentReversed</c>).
    /// </summary>
    public void MarkBounced(Domain.Payment payment, string reason)
    {
        var now = clock.GetUtcNow();
        var wasReceived = payment.Bounce(reason, now);
        var customerId = payment.CustomerId ?? throw new InvalidOperationException("A recorded cheque has a payer.");
        db.Enqueue(new PaymentBounced(Guid.CreateVersion7(), now, payment.Id, customerId, payment.Amount, payment.Currency,
            payment.Method.WireName(), reason), clock);
        if (wasReceived)
        {
            TakeBack(payment, customerId, PaymentReversed.Bounced, reason);
        }

        db.Set<WorkItem>().Add(WorkItem.Open(WorkItemKind.BouncedPayment, payment, now,
            $"{payment.Method.WireName()} {payment.ChequeNumber} bounced{(wasReceived ? " after clearing" : "")}: {reason}"));
    }

    /// <summary>
    /// The payer of a received payment is not a customer who may pay: the announcement is taken back
    /// (<c>PaymentReversed</c>; billing takes the deposit back) and the payment waits in suspense again, with an
    /// unidentified-payer work item, until a person matches it (which announces it anew, as the next generation).
    /// </summary>
    public WorkItem ReturnToSuspense(Domain.Payment payment, string problem)
    {
        var now = clock.GetUtcNow();
        var payer = payment.ReturnToSuspense(now);
        TakeBack(payment, payer, PaymentReversed.PayerNotACustomer, problem);
        var item = WorkItem.Open(WorkItemKind.UnidentifiedPayer, payment, now,
            $"{payment.Method.WireName()} payment back in suspense: payer {payer} {problem} (reference {payment.Reference})");
        db.Set<WorkItem>().Add(item);
        return item;
    }

    /// <summary>
    /// Queues <c>PaymentReversed</c> for the current announcement, which thereby ends: a later announcement of the payment
    /// (a match out of suspense) is the next generation.
    /// </summary>
    private void TakeBack(Domain.Payment payment, Guid customerId, string reason, string detail)
    {
        db.Enqueue(new PaymentReversed(Guid.CreateVersion7(), clock.GetUtcNow(), payment.Id, customerId, payment.Amount, payment.Currency,
            payment.Method.WireName(), payment.Generation, reason, detail), clock);
        payment.Generation++;
    }

    private void Announce(Domain.Payment payment) =>
        db.Enqueue(new PaymentReceived(Guid.CreateVersion7(), clock.GetUtcNow(), payment.Id,
            payment.CustomerId ?? throw new InvalidOperationException("A received payment has a payer."),
            payment.Amount, payment.Currency, payment.Method.WireName(), payment.ReceivedAt, payment.ContractId,
            payment.InvoiceIds.Count > 0 ? payment.InvoiceIds : null, payment.Generation), clock);
}
