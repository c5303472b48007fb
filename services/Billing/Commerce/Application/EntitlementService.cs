using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Application;

/// <summary>Suspends, resumes and terminates the service of one contract at a time.</summary>
public sealed class EntitlementService(BillingDb db, TimeProvider clock)
{
    public Task<Contract> SuspendAsync(Guid id, string reason, CancellationToken ct) => ChangeAsync(id, (c, now) =>
    {
        c.Suspend(reason, now);
        db.Enqueue(new ContractSuspended(Guid.CreateVersion7(), now, c.Id, c.CustomerId, reason), clock);
    }, ct);

    public Task<Contract> ResumeAsync(Guid id, string reason, CancellationToken ct) => ChangeAsync(id, (c, now) =>
    {
        c.Resume(reason, now);
        db.Enqueue(new ContractResumed(Guid.CreateVersion7(), now, c.Id, c.CustomerId, reason), clock);
    }, ct);

    public Task<Contract> TerminateAsync(Guid id, string reason, CancellationToken ct) => ChangeAsync(id, (c, now) =>
    {
        c.Terminate(reason, now);
        db.Enqueue(new ContractTerminated(Guid.CreateVersion7(), now, c.Id, c.CustomerId, reason), clock);
    }, ct);

    public async Task<Contract> GetAsync(Guid id, CancellationToken ct) =>
        await db.Set<Contract>().AsSplitQuery().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("contract", id.ToString());

    private async Task<Contract> ChangeAsync(Guid id, Action<Contract, DateTimeOffset> change, CancellationToken ct)
    {
        var contract = await db.Set<Contract>().AsSplitQuery().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("contract", id.ToString());
        change(contract, clock.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("the contract's entitlement changed meanwhile; read it again");
        }

        return contract;
    }
}
