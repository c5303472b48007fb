using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Data;
using Platform.Payment.VirtualAccounts.Data;
using Platform.Payment.VirtualAccounts.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.VirtualAccounts.Application;

/// <summary>One dedicated virtual account per customer: given when the customer is registered, or on demand.</summary>
public sealed class VirtualAccountBook(PaymentDb db, AuditTrail audit, IOptions<VirtualAccountsOptions> options, TimeProvider clock)
{
    /// <summary>
    /// The customer's account, created (and audited) when it has none. Runs in the caller's transaction and saves its
    /// own insert: a concurrent assignment for the same customer (the registration event racing a clerk) inserts
    /// nothing, and both answer the one account.
    /// </summary>
    public async Task<VirtualAccount> AssignAsync(Guid customerId, string actor, CancellationToken ct)
    {
        if (await FindAsync(customerId, ct) is { } existing)
        {
            return existing;
        }

        await AssignNewAsync([customerId], actor, ct);
        return await FindAsync(customerId, ct) ?? throw new InvalidOperationException("The virtual account just assigned is missing.");
    }

    /// <summary>
    /// Gives each of <paramref name="customerIds"/> that has no account one, with one serial query and one insert for all
    /// of them, and audits each account created. A customer that already has one (or gets one concurrently) keeps it;
    /// the serial drawn for it is left unused. Answers the number of accounts created.
    /// </summary>
    public async Task<int> AssignNewAsync(IReadOnlyCollection<Guid> customerIds, string actor, CancellationToken ct)
    {
        var ids = customerIds.Distinct().ToArray();
        if (ids.Length == 0)
        {
            return 0;
        }

        var serials = await db.Database
            .SqlQuery<long>($"SELECT nextval({VirtualAccountsModel.SerialSequence}::regclass) AS \"Value\" FROM generate_series(1, {ids.Length})")
            .ToListAsync(ct);
        var numbers = serials.Select(serial => VirtualAccountNumber.Compose(options.Value.Prefix, serial)).ToArray();
        var created = await db.Database.SqlQuery<Guid>($"""
            INSERT INTO virtual_accounts (customer_id, number, created_at)
            SELECT customer_id, number, {clock.GetUtcNow()} FROM unnest({ids}, {numbers}) AS t(customer_id, number)
            ON CONFLICT (customer_id) DO NOTHING
            RETURNING customer_id AS "Value"
            """).ToListAsync(ct);
        var numberOf = ids.Zip(numbers).ToDictionary(p => p.First, p => p.Second);
        foreach (var customerId in created)
        {
            var number = numberOf[customerId];
            audit.Record(actor, "virtual_account.assigned", $"virtual-accounts/{number}", customerId, new { number });
        }

        return created.Count;
    }

    public async Task<VirtualAccount> GetAsync(Guid customerId, CancellationToken ct) =>
        await FindAsync(customerId, ct) ?? throw new NotFoundException("virtual account", customerId.ToString());

    /// <summary>The customer a number belongs to; null for a number nobody owns (or a mistyped one: its check digit fails).</summary>
    public async Task<Guid?> OwnerOfAsync(string number, CancellationToken ct) =>
        VirtualAccountNumber.IsWellFormed(number)
            ? await db.Set<VirtualAccount>().AsNoTracking().Where(a => a.Number == number).Select(a => (Guid?)a.CustomerId).SingleOrDefaultAsync(ct)
            : null;

    private Task<VirtualAccount?> FindAsync(Guid customerId, CancellationToken ct) =>
        db.Set<VirtualAccount>().AsNoTracking().SingleOrDefaultAsync(a => a.CustomerId == customerId, ct);
}
