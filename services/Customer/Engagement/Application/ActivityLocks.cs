using Microsoft.EntityFrameworkCore;
using Platform.Customer.Data;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

/// <summary>
/// The per-customer lock of the engagement's writers: the customer's activity record (<c>customer_activity</c>), locked
/// until the transaction ends. Every consumer and scan that reads a customer's activity, stage or value-tier basis to
/// write what follows from it takes this lock first, before any other lock on that customer (a payment's, the loyalty
/// book's), and several customers' in customer-id order, so that two writers of one customer apply one after the other
/// and cannot deadlock on it.
/// </summary>
public sealed class ActivityLocks(CustomerDb db)
{
    /// <summary>
    /// Creates the activity records that do not exist yet, then reads them all into the unit of work, locked; both in
    /// customer-id order. Waits for a writer that holds one of them.
    /// <para>Created first: consumers of different events (a payment, the balance it made) apply a new customer's first
    /// events at the same time, each in its own transaction; the second to create a record waits for the first to
    /// commit and then uses that record, where adding it through the unit of work failed the second transaction on the
    /// key.</para>
    /// <para>Locked: each event moves the record's times to the later of what is stored and its own, and recomputes the
    /// value tier from the payments and refunds saved so far. Two consumers (a payment, a refund, a balance) or two
    /// replicas applying events of one customer at once would otherwise each write what follows from what they read
    /// before the other committed: the later activity time of the first, or the tier its payment made, would be lost.</para>
    /// </summary>
    public async Task LockAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        Guid[] ids = [.. customerIds.Distinct()];
        if (ids.Length == 0)
        {
            return;
        }

        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO customer_activity (customer_id)
            SELECT id FROM unnest({ids}) AS t(id) ORDER BY id
            ON CONFLICT (customer_id) DO NOTHING
            """, ct);
        await db.Set<CustomerActivity>()
            .FromSql($"SELECT * FROM customer_activity WHERE customer_id = ANY({ids}) ORDER BY customer_id FOR UPDATE")
            .LoadAsync(ct);
    }

    /// <summary>
    /// Locks the existing activity records of <paramref name="customerIds"/> that no other transaction holds, without
    /// waiting, reads them into the unit of work and answers whose they are, in customer-id order: a scan leaves the
    /// others, whose events are being applied right now, to its next pass.
    /// </summary>
    public async Task<Guid[]> TryLockAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        Guid[] ids = [.. customerIds.Distinct()];
        if (ids.Length == 0)
        {
            return [];
        }

        var locked = await db.Set<CustomerActivity>()
            .FromSql($"SELECT * FROM customer_activity WHERE customer_id = ANY({ids}) ORDER BY customer_id FOR UPDATE SKIP LOCKED")
            .ToListAsync(ct);
        return [.. locked.Select(a => a.CustomerId)];
    }
}
