using Platform.BuildingBlocks.Idempotency;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Privacy;
using Platform.Contracts.Events;
using Platform.Customer.Caching;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Application;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

/// <summary>
/// Registers, reads (through the cache), updates, merges and erases customers: PII encrypted and blind-indexed,
/// duplicates refused naming the existing customer, events through the outbox.
/// </summary>
public sealed class CustomerRegistry(CustomerDb db, PiiProtector pii, CustomerCache cache, IdempotentRequests<CustomerDb> idempotent,
    EngagementErasure engagement, TimeProvider clock, ILogger<CustomerRegistry> log)
{
    public async Task<CustomerProfile> RegisterAsync(NewCustomer registration, CancellationToken ct)
    {
        var emailIndex = registration.Email is null ? null : pii.BlindIndex(registration.Email);
        var phoneIndex = registration.Phone is null ? null : pii.BlindIndex(registration.Phone);
        await RefuseDuplicateAsync(emailIndex, phoneIndex, null, ct);

        var customer = new CustomerProfile
        {
            Id = Guid.CreateVersion7(),
            Kind = registration.Kind,
            DisplayName = registration.DisplayName,
            EmailCipher = registration.Email is null ? null : pii.Protect(registration.Email),
            EmailIndex = emailIndex,
            PhoneCipher = registration.Phone is null ? null : pii.Protect(registration.Phone),
            PhoneIndex = phoneIndex,
            OwnerId = registration.OwnerId,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Customers.Add(customer);
        db.Enqueue(new CustomerRegistered(Guid.CreateVersion7(), customer.CreatedAt, customer.Id,
            customer.Kind.ToString().ToLowerInvariant(), customer.OwnerId), clock);
        await SaveRefusingDuplicatesAsync(emailIndex, phoneIndex, customer.Id, ct);
        return customer;
    }

    /// <summary>Reads through the cache; merged and erased customers are answered too (they are history).</summary>
    public async Task<CustomerProfile> GetAsync(Guid id, CancellationToken ct) =>
        await cache.GetOrLoadAsync(id, () => db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct))
        ?? throw new NotFoundException("customer", id.ToString());

    /// <summary>Applies the changes when <paramref name="etag"/> is the stored version; otherwise ABORTED.</summary>
    public async Task<CustomerProfile> UpdateAsync(Guid id, uint etag, ProfileChanges changes, CancellationToken ct)
    {
        var customer = await LoadForChangeAsync(id, ct);
        if (customer.Version != etag)
        {
            throw new ConcurrencyConflictException($"customer {id} changed since it was read; read it again and retry");
        }

        var check = new Validator();
        foreach (var field in changes.IndividualFields.Where(_ => customer.Kind != CustomerKind.Individual))
        {
            check.Require(false, field, "applies to individuals only");
        }

        db.Entry(customer).Property(c => c.Version).OriginalValue = etag;
        changes.ApplyTo(customer);
        ProfileRules.BudgetRange(customer.BudgetMin, customer.BudgetMax, "customer.budget_min", check);
        if (changes.Email.Set)
        {
            (customer.EmailCipher, customer.EmailIndex) = Protect(changes.Email.Value);
        }

        if (changes.Phone.Set)
        {
            (customer.PhoneCipher, customer.PhoneIndex) = Protect(changes.Phone.Value);
        }

        if (changes.IdentityNumber.Set)
        {
            (customer.IdentityCipher, customer.IdentityIndex) = Protect(changes.IdentityNumber.Value);
        }

        check.Require(customer.EmailCipher is not null || customer.PhoneCipher is not null, "customer.email", "an e-mail or a phone is required");
        check.ThrowIfInvalid();
        await RefuseDuplicateAsync(changes.Email.Set ? customer.EmailIndex : null, changes.Phone.Set ? customer.PhoneIndex : null, id, ct);
        customer.UpdatedAt = clock.GetUtcNow();
        if (changes.Owner.Set && changes.Owner.Value != customer.OwnerId)
        {
            // Work held for the owner elsewhere (collections call tasks, payment work items) follows the customer.
            db.Enqueue(new CustomerOwnerChanged(Guid.CreateVersion7(), customer.UpdatedAt.Value, id, customer.OwnerId, changes.Owner.Value), clock);
            customer.OwnerId = changes.Owner.Value;
        }

        await SaveRefusingDuplicatesAsync(customer.EmailIndex, customer.PhoneIndex, id, ct);
        return customer;
    }

    /// <summary>Marks <paramref name="mergedId"/> as merged into the survivor, moves its key contacts, publishes CustomersMerged.</summary>
    public async Task<(CustomerProfile Survivor, CustomerProfile Merged, int ContactsMoved)> MergeAsync(Guid survivorId, Guid mergedId, CancellationToken ct)
    {
        var survivor = await LoadForChangeAsync(survivorId, ct);
        var merged = await LoadForChangeAsync(mergedId, ct);
        var now = clock.GetUtcNow();
        survivor.Absorb(merged, now);
        var contacts = await db.Contacts.Where(c => c.CustomerId == mergedId).ToListAsync(ct);
        contacts.ForEach(c => c.CustomerId = survivorId);
        db.Enqueue(new CustomersMerged(Guid.CreateVersion7(), now, survivorId, mergedId), clock);
        await db.SaveChangesAsync(ct);
        log.LogInformation("Customer {MergedId} merged into {SurvivorId} ({Contacts} contacts moved)", mergedId, survivorId, contacts.Count);
        return (survivor, merged, contacts.Count);
    }

    /// <summary>
    /// Pseudonymises the customer, removes its key contacts and scrubs the free text of its engagement records
    /// (<see cref="EngagementErasure"/>), all in the caller's transaction; publishes CustomerErased the first time only.
    /// </summary>
    public async Task<CustomerProfile> EraseAsync(Guid id, string reason, CancellationToken ct)
    {
        // Locked for update first: an engagement write in flight (which share-locks the row) finishes before the scrub
        // reads, and one arriving later sees the customer erased.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM customers WHERE id = {id} FOR UPDATE", ct);
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("customer", id.ToString());
        if (customer.IsErased)
        {
            return customer;
        }

        var now = clock.GetUtcNow();
        customer.Erase(reason, now);
        db.Contacts.RemoveRange(await db.Contacts.Where(c => c.CustomerId == id).ToListAsync(ct));
        var scrubbed = await engagement.ScrubAsync(id, now, ct);
        db.Enqueue(new CustomerErased(Guid.CreateVersion7(), now, id), clock);
        await db.SaveChangesAsync(ct);
        // The first answers to requests about the customer hold its name, masked contacts and notes: they go with it.
        var forgotten = await idempotent.ForgetAsync(Grpc.CustomersApi.CustomerSubject(id), ct);
        log.LogInformation("Customer {CustomerId} erased ({Scrubbed} engagement records scrubbed, {Forgotten} stored answers forgotten)",
            id, scrubbed.Records, forgotten + scrubbed.Answers);
        return customer;
    }

    /// <summary>A tracked customer that may still change: neither merged away nor erased.</summary>
    private async Task<CustomerProfile> LoadForChangeAsync(Guid id, CancellationToken ct)
    {
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("customer", id.ToString());
        if (customer.IsMerged)
        {
            throw new PreconditionFailedException("CUSTOMER_MERGED", $"customers/{id}", $"customer {id} was merged into {customer.MergedIntoId}; change that one");
        }

        if (customer.IsErased)
        {
            throw new PreconditionFailedException("CUSTOMER_ERASED", $"customers/{id}", $"customer {id} was erased");
        }

        return customer;
    }

    private (string? Cipher, string? Index) Protect(string? normalized) =>
        normalized is null ? (null, null) : (pii.Protect(normalized), pii.BlindIndex(normalized));

    private async Task SaveRefusingDuplicatesAsync(string? emailIndex, string? phoneIndex, Guid self, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException($"customer {self} changed since it was read; read it again and retry");
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Lost a race with another registration or update of the same phone or e-mail. The failed insert aborted
            // the request's transaction (it has no savepoints: WholeTransactions), so look the holder up outside it.
            db.ChangeTracker.Clear();
            if (db.Database.CurrentTransaction is { } tx)
            {
                await tx.RollbackAsync(ct);
            }

            await RefuseDuplicateAsync(emailIndex, phoneIndex, self, ct);
            throw;
        }
    }

    /// <summary>ALREADY_EXISTS naming the customer holding the phone or e-mail (the survivor, when that one was merged).</summary>
    private async Task RefuseDuplicateAsync(string? emailIndex, string? phoneIndex, Guid? self, CancellationToken ct)
    {
        if (emailIndex is null && phoneIndex is null)
        {
            return;
        }

        var existing = await db.Customers.AsNoTracking()
            .Where(c => c.Id != self && ((emailIndex != null && c.EmailIndex == emailIndex) || (phoneIndex != null && c.PhoneIndex == phoneIndex)))
            .Select(c => new { c.Id, c.MergedIntoId, SameEmail = emailIndex != null && c.EmailIndex == emailIndex })
            .FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            var field = existing.SameEmail ? "email" : "phone";
            var holder = existing.MergedIntoId ?? existing.Id;
            throw new AlreadyExistsException("CUSTOMER_ALREADY_EXISTS", $"A customer with this {field} already exists: {holder}")
            {
                Metadata = { ["existing_customer_id"] = holder.ToString(), ["field"] = field },
            };
        }
    }
}
