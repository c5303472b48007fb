using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Privacy;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

/// <summary>Registers and reads customers: PII encrypted, duplicates refused, CustomerRegistered through the outbox.</summary>
public sealed class CustomerRegistry(CustomerDb db, PiiProtector pii, TimeProvider clock)
{
    public async Task<CustomerProfile> RegisterAsync(NewCustomer registration, CancellationToken ct)
    {
        var emailIndex = registration.Email is null ? null : pii.BlindIndex(registration.Email);
        var phoneIndex = registration.Phone is null ? null : pii.BlindIndex(registration.Phone);
        await RefuseDuplicateAsync(emailIndex, phoneIndex, ct);

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
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Lost a race with another registration of the same phone or e-mail.
            db.ChangeTracker.Clear();
            await RefuseDuplicateAsync(emailIndex, phoneIndex, ct);
            throw;
        }

        return customer;
    }

    public async Task<CustomerProfile> GetAsync(Guid id, CancellationToken ct) =>
        await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct)
        ?? throw new NotFoundException("customer", id.ToString());

    private async Task RefuseDuplicateAsync(string? emailIndex, string? phoneIndex, CancellationToken ct)
    {
        var existing = await db.Customers.AsNoTracking()
            .Where(c => (emailIndex != null && c.EmailIndex == emailIndex) || (phoneIndex != null && c.PhoneIndex == phoneIndex))
            .Select(c => new { c.Id, SameEmail = emailIndex != null && c.EmailIndex == emailIndex })
            .FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            var field = existing.SameEmail ? "email" : "phone";
            throw new AlreadyExistsException("CUSTOMER_ALREADY_EXISTS", $"A customer with this {field} already exists: {existing.Id}")
            {
                Metadata = { ["existing_customer_id"] = existing.Id.ToString(), ["field"] = field },
            };
        }
    }
}
