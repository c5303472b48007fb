using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Application;

/// <summary>For the refund workflow: what a contract's refund policy allows back, given what was paid and consumed.</summary>
public sealed class ContractRefunds(BillingDb db, TimeProvider clock)
{
    /// <summary>
    /// The refundable amount of a signed contract now: the elapsed share is counted from the contract start over its
    /// term. Earlier refunds are the caller's to subtract (the ledger knows them).
    /// </summary>
    public async Task<RefundQuote> RefundableAsync(Guid contractId, decimal paid, decimal consumed, CancellationToken ct)
    {
        var contract = await db.Set<Contract>().AsSplitQuery().AsNoTracking().SingleOrDefaultAsync(c => c.Id == contractId, ct)
            ?? throw new NotFoundException("contract", contractId.ToString());
        if (contract.State != ContractState.Signed)
        {
            throw new PreconditionFailedException("CONTRACT_NOT_SIGNED", $"contracts/{contractId}", "only a signed contract has a refund policy in force");
        }

        var now = clock.GetUtcNow();
        var term = contract.End - contract.Terms.Start;
        var elapsed = term <= TimeSpan.Zero ? 1m : (decimal)Math.Clamp((now - contract.Terms.Start) / term, 0d, 1d);
        return contract.RefundPolicy.Refundable(paid, consumed, elapsed, contract.NonRefundableAmount);
    }
}
