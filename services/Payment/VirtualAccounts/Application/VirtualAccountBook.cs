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

        var serial = await db.Database.SqlQueryRaw<long>($"SELECT nextval('{VirtualAccountsModel.SerialSequence}') AS \"Value\"").SingleAsync(ct);
        var number = VirtualAccountNumber.Compose(options.Value.Prefix, serial);
        var now = clock.GetUtcNow();
        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO virtual_accounts (customer_id, number, created_at) VALUES ({customerId}, {number}, {now}) ON CONFLICT (customer_id) DO NOTHING", ct);
        if (inserted == 1)
        {
            audit.Record(actor, "virtual_account.assigned", $"virtual-accounts/{number}", customerId, new { number });
        }

        return await FindAsync(customerId, ct) ?? throw new InvalidOperationException("The virtual account just assigned is missing.");
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
