using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Privacy;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

/// <summary>A contact as entered, validated and normalized.</summary>
public sealed record ContactDetails(ContactRole Role, string Name, string? Title, string? Phone, string? Email)
{
    public static ContactDetails Create(int role, string name, string title, string phone, string email, Validator check)
    {
        check.Require(role is >= 1 and <= 4, "role", "must be DECISION_MAKER, ACCEPTANCE_SIGNER, PAYMENT_OWNER or OTHER");
        var trimmed = name.Trim();
        check.RequireLength(trimmed, "name", 1, 200);
        var normalizedTitle = ProfileRules.Text(title, "title", 100, check);
        var normalizedPhone = NewCustomer.NormalizePhone(phone);
        check.Require(phone.Length == 0 || normalizedPhone is not null, "phone", "must be a phone number in E.164 form, for example +8613800138000");
        var normalizedEmail = NewCustomer.NormalizeEmail(email);
        check.Require(email.Length == 0 || normalizedEmail is not null, "email", "must be an e-mail address");
        check.Require(phone.Length > 0 || email.Length > 0, "phone", "a phone or an e-mail is required");
        return new ContactDetails((ContactRole)role, trimmed, normalizedTitle, normalizedPhone, normalizedEmail);
    }
}

/// <summary>Key contacts of customers: who decides, who signs acceptances, who pays.</summary>
public sealed class ContactBook(CustomerDb db, PiiProtector pii, TimeProvider clock)
{
    public const int MaxContactsPerCustomer = 50;

    public async Task<KeyContact> AddAsync(Guid customerId, ContactDetails details, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().Where(c => c.Id == customerId)
            .Select(c => new { c.MergedIntoId, c.Stage }).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("customer", customerId.ToString());
        if (customer.MergedIntoId is not null || customer.Stage == LifecycleStage.Erased)
        {
            throw new PreconditionFailedException(customer.MergedIntoId is null ? "CUSTOMER_ERASED" : "CUSTOMER_MERGED", $"customers/{customerId}",
                "contacts are added to a current customer only");
        }

        if (await db.Contacts.CountAsync(c => c.CustomerId == customerId, ct) >= MaxContactsPerCustomer)
        {
            throw new PreconditionFailedException("TOO_MANY_CONTACTS", $"customers/{customerId}", $"a customer has at most {MaxContactsPerCustomer} contacts");
        }

        var contact = new KeyContact { Id = Guid.CreateVersion7(), CustomerId = customerId, Name = details.Name, CreatedAt = clock.GetUtcNow() };
        Apply(contact, details);
        db.Contacts.Add(contact);
        await db.SaveChangesAsync(ct);
        return contact;
    }

    public async Task<KeyContact> UpdateAsync(Guid contactId, uint etag, ContactDetails details, CancellationToken ct)
    {
        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct) ?? throw new NotFoundException("contact", contactId.ToString());
        if (contact.Version != etag)
        {
            throw new ConcurrencyConflictException($"contact {contactId} changed since it was read; read it again and retry");
        }

        db.Entry(contact).Property(c => c.Version).OriginalValue = etag;
        Apply(contact, details);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException($"contact {contactId} changed since it was read; read it again and retry");
        }

        return contact;
    }

    public async Task RemoveAsync(Guid contactId, CancellationToken ct)
    {
        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct) ?? throw new NotFoundException("contact", contactId.ToString());
        db.Contacts.Remove(contact);
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<KeyContact>> ListAsync(Guid customerId, CancellationToken ct)
    {
        await RequireCustomerAsync(customerId, ct);
        return await db.Contacts.AsNoTracking().Where(c => c.CustomerId == customerId).OrderBy(c => c.Id).ToListAsync(ct);
    }

    /// <summary>The earliest-added contact holding the role; NOT_FOUND when none does.</summary>
    public async Task<KeyContact> ResolveAsync(Guid customerId, ContactRole role, CancellationToken ct)
    {
        await RequireCustomerAsync(customerId, ct);
        return await db.Contacts.AsNoTracking().Where(c => c.CustomerId == customerId && c.Role == role).OrderBy(c => c.Id).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException("contact", $"{role} of customer {customerId}");
    }

    private async Task RequireCustomerAsync(Guid customerId, CancellationToken ct)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            throw new NotFoundException("customer", customerId.ToString());
        }
    }

    private void Apply(KeyContact contact, ContactDetails details)
    {
        contact.Role = details.Role;
        contact.Name = details.Name;
        contact.Title = details.Title;
        contact.PhoneCipher = details.Phone is null ? null : pii.Protect(details.Phone);
        contact.EmailCipher = details.Email is null ? null : pii.Protect(details.Email);
    }
}
