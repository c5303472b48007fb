using Microsoft.EntityFrameworkCore;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

/// <summary>Consent per purpose: every grant or withdrawal is a row, the latest per purpose is the current consent.</summary>
public sealed class ConsentBook(CustomerDb db, TimeProvider clock)
{
    public async Task<ConsentChange> SetAsync(Guid customerId, ConsentPurpose purpose, bool granted, string source, string recordedBy, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().Where(c => c.Id == customerId).Select(c => new { c.Stage })
            .SingleOrDefaultAsync(ct) ?? throw new NotFoundException("customer", customerId.ToString());
        if (customer.Stage == LifecycleStage.Erased)
        {
            throw new PreconditionFailedException("CUSTOMER_ERASED", $"customers/{customerId}", $"customer {customerId} was erased");
        }

        var change = new ConsentChange
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            Purpose = purpose,
            Granted = granted,
            Source = source,
            RecordedBy = recordedBy,
            ChangedAt = clock.GetUtcNow(),
        };
        db.Consents.Add(change);
        await db.SaveChangesAsync(ct);
        return change;
    }

    /// <summary>The current consent per purpose that was ever set, and the whole history, oldest first.</summary>
    public async Task<(IReadOnlyList<ConsentChange> Current, IReadOnlyList<ConsentChange> History)> GetAsync(Guid customerId, CancellationToken ct)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            throw new NotFoundException("customer", customerId.ToString());
        }

        var history = await db.Consents.AsNoTracking().Where(c => c.CustomerId == customerId).OrderBy(c => c.ChangedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var current = history.GroupBy(c => c.Purpose).Select(g => g.Last()).OrderBy(c => c.Purpose).ToList();
        return (current, history);
    }
}
