using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Contracts.Customer.V1;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Checks.Application;

/// <summary>What the payer check found: a known customer, or one taken unverified because the customer service did not answer.</summary>
public enum PayerVerdict
{
    Known = 1,
    Unverified = 2,
}

/// <summary>
/// Checks that a customer named as payer exists and may still pay. Payment's own view (<see cref="KnownCustomer"/>)
/// answers first; a customer it does not know yet (the registration event is still on its way, or the customer is
/// older than the view) is asked of the customer service and remembered. An erased or merged-away customer is refused
/// (FAILED_PRECONDITION naming it), an unknown one is INVALID_ARGUMENT naming the field. When the customer service cannot
/// answer, the customer is taken unverified and a warning logged: money coming in is never turned away by an outage.
/// </summary>
public sealed class PayerCheck(PaymentDb db, Customers.CustomersClient customers, IOptions<ChecksOptions> options, TimeProvider clock,
    ILogger<PayerCheck> log)
{
    // Asked on every recorded payment: compiled once, so a call does not rebuild and hash the expression tree to find
    // the cached query.
    private static readonly Func<PaymentDb, Guid, CancellationToken, Task<KnownCustomer?>> KnownCustomerOf =
        EF.CompileAsyncQuery((PaymentDb db, Guid customerId, CancellationToken ct) =>
            db.Set<KnownCustomer>().AsNoTracking().SingleOrDefault(c => c.CustomerId == customerId));

    public async Task<PayerVerdict> EnsureAsync(Guid customerId, string field, CancellationToken ct)
    {
        var found = await FindAsync(customerId, ct);
        if (found.NotFound)
        {
            throw ValidationException.For(field, $"no customer {customerId} is known to the customer service", "CUSTOMER_NOT_FOUND");
        }

        if (found.Customer is not { } known)
        {
            return PayerVerdict.Unverified;
        }

        switch (known.Standing)
        {
            case CustomerStanding.Erased:
                throw new PreconditionFailedException("CUSTOMER_ERASED", $"customers/{customerId}",
                    $"customer {customerId} was erased on request; nothing new is recorded for it");
            case CustomerStanding.Merged:
                throw new PreconditionFailedException("CUSTOMER_MERGED", $"customers/{customerId}",
                    $"customer {customerId} was merged into {known.MergedIntoId}; name that customer instead")
                {
                    Metadata = { ["survivor_id"] = known.MergedIntoId?.ToString() ?? "" },
                };
            default:
                return PayerVerdict.Known;
        }
    }

    /// <summary>
    /// The customer from payment's view, else from the customer service (remembered in the view). NotFound when the
    /// customer service does not know it; neither a customer nor NotFound when it could not answer.
    /// </summary>
    public async Task<(KnownCustomer? Customer, bool NotFound)> FindAsync(Guid customerId, CancellationToken ct)
    {
        if (await KnownCustomerOf(db, customerId, ct) is { } known)
        {
            return (known, false);
        }

        var (answer, notFound) = await ServiceLookup.AskAsync(deadline => customers.GetCustomerAsync(
            new GetCustomerRequest { CustomerId = customerId.ToString() }, deadline: deadline, cancellationToken: ct), options.Value.LookupTimeout, log,
            "payer", customerId, ct);
        if (answer is null)
        {
            return (null, notFound);
        }

        var remembered = new KnownCustomer
        {
            CustomerId = customerId,
            Standing = answer.LifecycleStage == LifecycleStage.Erased ? CustomerStanding.Erased
                : answer.MergedIntoId.Length > 0 ? CustomerStanding.Merged
                : CustomerStanding.Active,
            MergedIntoId = Guid.TryParse(answer.MergedIntoId, out var survivor) ? survivor : null,
            OwnerId = Guid.TryParse(answer.OwnerId, out var owner) ? owner : null,
            UpdatedAt = clock.GetUtcNow(),
        };

        // The registration event may land at the same moment: whichever comes second changes nothing.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO known_customers (customer_id, standing, merged_into_id, owner_id, updated_at)
            VALUES ({remembered.CustomerId}, {remembered.Standing.ToString()}, {remembered.MergedIntoId}, {remembered.OwnerId}, {remembered.UpdatedAt})
            ON CONFLICT (customer_id) DO NOTHING
            """, ct);
        return (remembered, false);
    }
}
