using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

/// <summary>Keeps payment and refund facts and recomputes the value tier from the trailing 12 months.</summary>
public sealed class ValueTierGrader(CustomerDb db, TimeProvider clock, IOptions<TierThresholds> thresholds)
{
    /// <summary>Stores the payment once (by payment id); false when it was already known.</summary>
    public async Task<PaymentFact?> RecordPaymentAsync(PaymentReceived paid, CancellationToken ct)
    {
        // Local too: a batch of messages is applied in one unit of work (InboxBatchConsumer).
        if (db.Set<PaymentFact>().Local.Any(p => p.PaymentId == paid.PaymentId) || await db.Set<PaymentFact>().AnyAsync(p => p.PaymentId == paid.PaymentId, ct))
        {
            return null;
        }

        var fact = new PaymentFact
        {
            PaymentId = paid.PaymentId,
            CustomerId = paid.CustomerId,
            Amount = paid.Amount,
            Currency = paid.Currency,
            ReceivedAt = paid.ReceivedAt,
        };
        db.Add(fact);
        return fact;
    }

    public async Task<RefundFact?> RecordRefundAsync(RefundPaid refund, CancellationToken ct)
    {
        if (await db.Set<RefundFact>().AnyAsync(r => r.RefundId == refund.RefundId, ct))
        {
            return null;
        }

        var fact = new RefundFact
        {
            RefundId = refund.RefundId,
            CustomerId = refund.CustomerId,
            PaymentId = refund.PaymentId,
            Amount = refund.Amount,
            PaidAt = refund.OccurredAt,
        };
        db.Add(fact);
        return fact;
    }

    /// <summary>
    /// The tier basis now: the saved facts of the window summed by the database (a customer's year of payments is never
    /// loaded), plus those added but not yet saved in this unit of work.
    /// </summary>
    public async Task<TierBasis> BasisAsync(Guid customerId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = now - ValueTiers.Window;
        var saved = await db.Set<PaymentFact>().AsNoTracking()
            .Where(p => p.CustomerId == customerId && p.ReceivedAt > since && p.ReceivedAt <= now)
            .GroupBy(_ => 1).Select(g => new { Paid = g.Sum(p => p.Amount), Count = g.Count() }).SingleOrDefaultAsync(ct);
        var savedRefunds = await db.Set<RefundFact>().AsNoTracking()
            .Where(r => r.CustomerId == customerId && r.PaidAt > since && r.PaidAt <= now).SumAsync(r => r.Amount, ct);
        var pendingPayments = db.ChangeTracker.Entries<PaymentFact>()
            .Where(e => e.State == EntityState.Added && e.Entity.CustomerId == customerId && e.Entity.ReceivedAt > since && e.Entity.ReceivedAt <= now)
            .Select(e => e.Entity.Amount).ToList();
        var pendingRefunds = db.ChangeTracker.Entries<RefundFact>()
            .Where(e => e.State == EntityState.Added && e.Entity.CustomerId == customerId && e.Entity.PaidAt > since && e.Entity.PaidAt <= now)
            .Sum(e => e.Entity.Amount);
        return ValueTiers.Basis((saved?.Paid ?? 0m) + pendingPayments.Sum(), (saved?.Count ?? 0) + pendingPayments.Count, savedRefunds + pendingRefunds);
    }

    /// <summary>Recomputes the tier; a change is saved on the tracked profile and announced.</summary>
    public async Task RecomputeAsync(Guid customerId, CancellationToken ct)
    {
        if (await db.FindTrackedAsync(customerId, ct) is not { } customer)
        {
            return;
        }

        var basis = await BasisAsync(customerId, ct);
        var tier = ValueTiers.Compute(basis, thresholds.Value);
        if (tier == customer.ValueTier)
        {
            return;
        }

        db.Enqueue(new CustomerTierChanged(Guid.CreateVersion7(), clock.GetUtcNow(), customerId,
            EngagementNames.Of(customer.ValueTier), EngagementNames.Of(tier), basis.PaidAmount, basis.Purchases), clock);
        customer.ValueTier = tier;
    }

    /// <summary>
    /// The trailing window moves: customers with a payment or refund that left the window within <paramref name="lookback"/>
    /// are recomputed (only they can change without a new event). Answers how many changed tier.
    /// </summary>
    public async Task<int> RefreshAsync(TimeSpan lookback, CancellationToken ct)
    {
        var edge = clock.GetUtcNow() - ValueTiers.Window;
        var from = edge - lookback;
        var paid = db.Set<PaymentFact>().Where(p => p.ReceivedAt > from && p.ReceivedAt <= edge).Select(p => p.CustomerId);
        var refunded = db.Set<RefundFact>().Where(r => r.PaidAt > from && r.PaidAt <= edge).Select(r => r.CustomerId);
        var affected = await paid.Union(refunded).Distinct().Take(5000).ToListAsync(ct);
        var changed = 0;
        foreach (var id in affected)
        {
            var before = (await db.FindTrackedAsync(id, ct))?.ValueTier;
            await RecomputeAsync(id, ct);
            changed += (await db.FindTrackedAsync(id, ct))?.ValueTier != before ? 1 : 0;
        }

        return changed;
    }
}
