using Microsoft.EntityFrameworkCore;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Data;

namespace Platform.Payment.Merges;

/// <summary>
/// Where a customer's new receivables, cases and work items belong: the customer itself, or the survivor it was merged
/// into. Billing's events name the customer of the invoice or payment as signed, which may be a merged one; payment's view
/// follows the survivor. A lookup and a merge of the same customer exclude each other (an advisory lock per customer, shared
/// here, exclusive in <see cref="MergeFollower"/>), so a row written for the merged id while the merge runs is either
/// moved by it or written for the survivor after it.
/// </summary>
public sealed class Survivors(PaymentDb db)
{
    /// <summary>A merge chain longer than this is not followed further (the customer service merges only unmerged customers).</summary>
    private const int MaxHops = 8;

    /// <summary>The customer that now stands for <paramref name="customerId"/>. Call inside the consumer's transaction.</summary>
    public async Task<Guid> OfAsync(Guid customerId, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared(hashtextextended({LockKey(customerId)}, 0))", ct);
        var current = customerId;
        for (var hop = 0; hop < MaxHops; hop++)
        {
            var next = await db.Set<KnownCustomer>().AsNoTracking()
                .Where(k => k.CustomerId == current && k.Standing == CustomerStanding.Merged)
                .Select(k => k.MergedIntoId).SingleOrDefaultAsync(ct);
            if (next is not { } survivor || survivor == current)
            {
                break;
            }

            current = survivor;
        }

        return current;
    }

    /// <summary>The customers merged into <paramref name="survivorId"/>, directly or through another merged customer.</summary>
    public async Task<List<Guid>> MergedIntoAsync(Guid survivorId, CancellationToken ct)
    {
        var found = new List<Guid>();
        var frontier = new List<Guid> { survivorId };
        for (var hop = 0; hop < MaxHops && frontier.Count > 0; hop++)
        {
            var ids = frontier;
            frontier = await db.Set<KnownCustomer>().AsNoTracking()
                .Where(k => k.Standing == CustomerStanding.Merged && k.MergedIntoId != null && ids.Contains(k.MergedIntoId.Value))
                .Select(k => k.CustomerId).ToListAsync(ct);
            frontier.RemoveAll(found.Contains);
            found.AddRange(frontier);
        }

        return found;
    }

    internal static string LockKey(Guid customerId) => "customer-merge:" + customerId;
}
