using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Application;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Exceptions.Domain;

namespace Platform.Payment.Checks.Application;

/// <summary>
/// Checks again the payers of payments recorded while the customer service could not answer. A payer who is a customer
/// that may pay is marked verified. When the payer is one the customer service does not know, or that was erased or
/// merged away meanwhile, a received payment (announced, and deposited by billing for that id) goes back to suspense:
/// its announcement is taken back (<c>PaymentReversed</c>, billing takes the deposit back) and it waits, with an
/// unidentified-payer work item, for a person to match it to the right customer. A payment not received (a pending
/// cheque) was never announced: it gets an <see cref="WorkItemKind.UnverifiedPayer"/> work item. A payer the customer
/// service still cannot answer for waits; each pass takes the payments after the last one the pass before took (in id
/// order, round to the oldest again), so payers the customer service keeps failing for never hold back the others.
/// </summary>
public sealed class PayerRecheck(PaymentDb db, PayerCheck payers, PaymentRecorder recorder, AuditTrail audit, IOptions<ChecksOptions> options,
    TimeProvider clock)
{
    public const string System = "system:payer-recheck";

    /// <summary>
    /// One pass over the unverified payments after <paramref name="after"/>, going on with the oldest when fewer follow;
    /// answers how many it settled and where the next pass starts (null: with the oldest).
    /// </summary>
    public async Task<(int Settled, Guid? Next)> RunAsync(Guid? after, CancellationToken ct)
    {
        var size = options.Value.RecheckBatchSize;
        var unverified = db.Payments.Where(p => p.PayerUnverified && p.CustomerId != null);
        var pending = await unverified.Where(p => after == null || p.Id.CompareTo(after.Value) > 0).OrderBy(p => p.Id).Take(size).ToListAsync(ct);
        if (pending.Count < size && after is { } start)
        {
            pending.AddRange(await unverified.Where(p => p.Id.CompareTo(start) <= 0).OrderBy(p => p.Id).Take(size - pending.Count).ToListAsync(ct));
        }

        var next = pending.Count == size ? pending[^1].Id : (Guid?)null;
        var settled = 0;
        foreach (var group in pending.GroupBy(p => p.CustomerId!.Value))
        {
            var (customer, notFound) = await payers.FindAsync(group.Key, ct);
            if (customer is null && !notFound)
            {
                continue; // still no answer
            }

            var problem = notFound ? "is not known to the customer service"
                : customer!.Standing switch
                {
                    CustomerStanding.Erased => "was erased",
                    CustomerStanding.Merged => $"was merged into {customer.MergedIntoId}",
                    _ => null,
                };

            var now = clock.GetUtcNow();
            foreach (var payment in group)
            {
                payment.PayerUnverified = false;
                settled++;
                if (problem is null)
                {
                    audit.Record(System, "payment.payer_verified", $"payments/{payment.Id}", payment.CustomerId, new { });
                    continue;
                }

                var payer = payment.CustomerId;
                WorkItem item;
                if (payment.State == PaymentState.Received)
                {
                    item = recorder.ReturnToSuspense(payment, problem);
                }
                else
                {
                    item = WorkItem.Open(WorkItemKind.UnverifiedPayer, payment, now,
                        $"payer {payment.CustomerId} {problem}; the payment was recorded while the customer service was down (reference {payment.Reference})");
                    db.Set<WorkItem>().Add(item);
                }

                audit.Record(System, "payment.payer_not_a_customer", $"payments/{payment.Id}", payer,
                    new { problem, workItemId = item.Id, backToSuspense = payment.State == PaymentState.Unidentified });
            }
        }

        await db.SaveChangesAsync(ct);
        return (settled, next);
    }
}
