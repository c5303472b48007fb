using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.Contracts.Events;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.Payment.Exceptions.Domain;

namespace Platform.Payment.Checks.Application;

/// <summary>
/// Keeps <see cref="KnownCustomer"/> from the customer service's events, each applied once through the inbox. Events
/// of one customer may arrive in any order and the payer check may have stored the customer service's answer first,
/// so every write is an upsert, and an erasure is never undone by a later registration or merge.
/// </summary>
public sealed class CustomerDirectory(PaymentDb db, AuditTrail audit, TimeProvider clock, ILogger<CustomerDirectory> log)
{
    public const string System = "system:customer-directory";

    /// <summary>
    /// Registered customers may pay, and their owner gets the call tasks of their collections cases: one upsert for all
    /// of them. An owner already set (by a later owner change, or the payer check) is kept.
    /// </summary>
    public async Task RegisteredAsync(IReadOnlyCollection<CustomerRegistered> events, CancellationToken ct)
    {
        var registered = events.DistinctBy(e => e.CustomerId).ToList();
        if (registered.Count == 0)
        {
            return;
        }

        var ids = registered.Select(e => e.CustomerId).ToArray();
        var owners = registered.Select(e => e.OwnerId).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO known_customers (customer_id, standing, owner_id, updated_at)
            SELECT customer_id, {nameof(CustomerStanding.Active)}, owner_id, {clock.GetUtcNow()} FROM unnest({ids}, {owners}) AS t(customer_id, owner_id)
            ON CONFLICT (customer_id) DO UPDATE SET owner_id = excluded.owner_id
            WHERE known_customers.owner_changed_at IS NULL AND known_customers.owner_id IS NULL
            """, ct);
    }

    public async Task ErasedAsync(CustomerErased e, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO known_customers (customer_id, standing, updated_at)
            VALUES ({e.CustomerId}, {nameof(CustomerStanding.Erased)}, {clock.GetUtcNow()})
            ON CONFLICT (customer_id) DO UPDATE SET standing = excluded.standing, updated_at = excluded.updated_at
            """, ct);

    public async Task MergedAsync(CustomersMerged e, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO known_customers (customer_id, standing, merged_into_id, updated_at)
            VALUES ({e.MergedId}, {nameof(CustomerStanding.Merged)}, {e.SurvivorId}, {clock.GetUtcNow()})
            ON CONFLICT (customer_id) DO UPDATE SET merged_into_id = excluded.merged_into_id, updated_at = excluded.updated_at,
                standing = CASE WHEN known_customers.standing = {nameof(CustomerStanding.Erased)} THEN known_customers.standing ELSE excluded.standing END
            """, ct);

    /// <summary>
    /// The customer has a new owner: the open collections cases of the customer are the new owner's call tasks, and the
    /// open exception work items the previous owner held go to the new owner (items a finance clerk took stay theirs).
    /// An owner change older than the last one applied changes nothing.
    /// </summary>
    public async Task OwnerChangedAsync(CustomerOwnerChanged e, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var applied = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO known_customers (customer_id, standing, owner_id, owner_changed_at, updated_at)
            VALUES ({e.CustomerId}, {nameof(CustomerStanding.Active)}, {e.OwnerId}, {e.OccurredAt}, {now})
            ON CONFLICT (customer_id) DO UPDATE SET owner_id = excluded.owner_id, owner_changed_at = excluded.owner_changed_at, updated_at = excluded.updated_at
            WHERE known_customers.owner_changed_at IS NULL OR known_customers.owner_changed_at < excluded.owner_changed_at
            """, ct);
        if (applied == 0)
        {
            log.LogInformation("Owner change of customer {CustomerId} at {At} is older than the one applied; ignored", e.CustomerId, e.OccurredAt);
            return;
        }

        var cases = await db.Set<CollectionCase>().Where(c => c.CustomerId == e.CustomerId && c.IsOpen)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.OwnerId, e.OwnerId), ct);
        var items = 0;
        if (e.PreviousOwnerId is { } previous)
        {
            var previousOwner = previous.ToString();
            var newOwner = e.OwnerId?.ToString();
            items = await db.Set<WorkItem>().Where(w => w.CustomerId == e.CustomerId && w.ResolvedAt == null && w.Owner == previousOwner)
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.Owner, newOwner), ct);
        }

        audit.Record(System, "customer.owner_followed", $"customers/{e.CustomerId}", e.CustomerId,
            new { previousOwnerId = e.PreviousOwnerId, ownerId = e.OwnerId, cases, workItems = items });
    }
}
