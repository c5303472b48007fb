using Microsoft.EntityFrameworkCore;
using Platform.Billing.Application;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Consumption.Application;

/// <summary>
/// Charges a contract's fee item for one period, once: from the customer's prepaid money by a transfer whose id derives
/// from contract, fee item and period, or — when the balance (and the credit the account allows) does not cover it —
/// on an invoice of its own, so the money is owed, not lost. The charge is recorded with ContractCharged in the same
/// transaction; its (contract, fee item, period) is unique, so a second run, replica or replay finds it instead.
/// </summary>
public sealed class ChargeDesk(BillingDb db, LedgerStore ledger, InvoiceService invoices, PrepaidAccountBook accounts, TimeProvider clock)
{
    public async Task<ContractCharge> ChargeAsync(Contract contract, PlannedCharge charge, CancellationToken ct)
    {
        if (await FindAsync(contract.Id, charge.FeeItemCode, charge.Period, ct) is { } earlier)
        {
            return earlier;
        }

        await accounts.EnsureOpenAsync(contract.CustomerId, ct);
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var transferId = ChargePosting.TransferId(contract.Id, charge.FeeItemCode, charge.Period);
        var settlement = ChargeSettlement.Prepaid;
        Guid? invoiceId = null;
        if (charge.Amount > 0)
        {
            try
            {
                var reference = $"charge of contract {contract.Number ?? contract.Id.ToString()}: {charge.FeeItemCode} {charge.Period}";
                var applied = await ledger.ApplyAsync(contract.CustomerId, transferId, book => ChargePosting.Consume(transferId, charge.Amount, book),
                    compareReplay: false, reference[..Math.Min(reference.Length, 200)], ct);
                if (applied.Replayed && await FindAsync(contract.Id, charge.FeeItemCode, charge.Period, ct) is { } twin)
                {
                    return twin;
                }
            }
            catch (PreconditionFailedException e) when (e.Reason == "INSUFFICIENT_BALANCE")
            {
                // Nothing was written, and the customer's book stays locked in this transaction: a twin charging the
                // same period waits for it and then finds the charge recorded here.
                if (await FindAsync(contract.Id, charge.FeeItemCode, charge.Period, ct) is { } twin)
                {
                    return twin;
                }

                var draft = await invoices.CreateAsync(new NewInvoice(contract.CustomerId, contract.Id,
                    $"{charge.FeeItemCode} {charge.Period} of contract {contract.Number} (prepaid balance did not cover it)", charge.Amount, clock.GetUtcNow()), ct);
                await invoices.IssueAsync(draft.Id, ct);
                settlement = ChargeSettlement.Invoice;
                invoiceId = draft.Id;
            }
        }

        var now = clock.GetUtcNow();
        var row = Record(contract, charge, settlement, now, settlement == ChargeSettlement.Prepaid && charge.Amount > 0 ? transferId : null, invoiceId);
        db.Enqueue(new ContractCharged(Guid.CreateVersion7(), now, row.Id, row.ContractId, row.CustomerId, row.FeeItemCode, KindName(row.Kind), row.Period,
            row.Quantity, row.Amount, row.Currency, row.DueAt, settlement == ChargeSettlement.Prepaid ? "prepaid" : "invoice", row.TransferId, row.InvoiceId,
            charge.AmendmentId), clock);
        await db.SaveChangesAsync(ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        return row;
    }

    /// <summary>Records that a due charge is not made (the contract was suspended at its date), so it never is later.</summary>
    public async Task<ContractCharge> WaiveAsync(Contract contract, PlannedCharge charge, CancellationToken ct)
    {
        if (await FindAsync(contract.Id, charge.FeeItemCode, charge.Period, ct) is { } earlier)
        {
            return earlier;
        }

        var row = Record(contract, charge, ChargeSettlement.Waived, clock.GetUtcNow(), null, null);
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>A page of a contract's charges, newest first (ids are time-ordered); the token is the last id seen.</summary>
    public async Task<(IReadOnlyList<ContractCharge> Page, Guid? Next)> ListAsync(Guid contractId, int pageSize, Guid? after, CancellationToken ct)
    {
        if (!await db.Set<Contract>().AnyAsync(c => c.Id == contractId, ct))
        {
            throw new NotFoundException("contract", contractId.ToString());
        }

        return await db.Set<ContractCharge>().AsNoTracking().Where(c => c.ContractId == contractId).NewestFirstAsync(c => c.Id, pageSize, after, ct);
    }

    public static string KindName(FeeKind kind) => kind switch
    {
        FeeKind.OneTime => "one_time",
        FeeKind.RecurringMonthly => "recurring_monthly",
        _ => "usage",
    };

    private ContractCharge Record(Contract contract, PlannedCharge charge, ChargeSettlement settlement, DateTimeOffset now, Guid? transferId, Guid? invoiceId)
    {
        var row = new ContractCharge
        {
            Id = Guid.CreateVersion7(),
            ContractId = contract.Id,
            CustomerId = contract.CustomerId,
            FeeItemCode = charge.FeeItemCode,
            Kind = charge.Kind,
            Period = charge.Period,
            Quantity = charge.Quantity,
            Amount = charge.Amount,
            Currency = contract.Currency,
            DueAt = charge.DueAt,
            Settlement = settlement,
            TransferId = transferId,
            InvoiceId = invoiceId,
            ChargedAt = now,
        };
        db.Set<ContractCharge>().Add(row);
        return row;
    }

    private Task<ContractCharge?> FindAsync(Guid contractId, string feeItemCode, string period, CancellationToken ct) =>
        db.Set<ContractCharge>().AsNoTracking().SingleOrDefaultAsync(c => c.ContractId == contractId && c.FeeItemCode == feeItemCode && c.Period == period, ct);
}
