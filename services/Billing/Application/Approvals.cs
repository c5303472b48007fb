using Platform.BuildingBlocks.Audit;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.Billing.Domain.Controls;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

/// <summary>
/// Refunds: requested by one person, approved by another with the approver role (maker-checker), then paid out by the
/// payment service. Approval moves prepaid cash to refunds payable; RefundPaid settles it, RefundFailed returns it.
/// Refunds never exceed what was deposited, nor the prepaid cash left, counting refunds still awaiting a decision; the
/// approval checks again (a payment reversed since the request took its deposit back: see DepositReversals).
/// </summary>
public sealed class RefundDesk(BillingDb db, LedgerStore ledger, ContractRefunds contracts, AuditTrail audit, TimeProvider clock)
{
    public async Task<Refund> RequestAsync(Guid customerId, decimal amount, string reason, Guid? paymentId, Guid? contractId, string actor, CancellationToken ct)
    {
        var refundable = await RefundableAsync(customerId, ct);
        if (amount > refundable)
        {
            throw new PreconditionFailedException("REFUND_EXCEEDS_REFUNDABLE", "customers/" + customerId,
                $"At most {refundable} can be refunded now (prepaid cash and deposits, less refunds already requested or paid)");
        }

        if (contractId is { } contract && await ContractRefundableAsync(customerId, contract, ct) is var byPolicy && amount > byPolicy)
        {
            throw new PreconditionFailedException("REFUND_EXCEEDS_POLICY", "contracts/" + contract,
                $"At most {byPolicy} can be refunded under the contract's refund policy (less refunds already requested or paid under it)");
        }

        var refund = new Refund
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            Amount = amount,
            Reason = reason,
            PaymentId = paymentId,
            ContractId = contractId,
            Approval = new Approval { RequestedBy = actor, RequestedAt = clock.GetUtcNow() },
        };
        db.Add(refund);
        audit.Record(actor, "refund.requested", "refunds/" + refund.Id, customerId, new { amount, reason, paymentId, contractId });
        await db.SaveChangesAsync(ct);
        return refund;
    }

    public async Task<Refund> DecideAsync(Guid refundId, bool approve, string? note, string approver, CancellationToken ct)
    {
        var refund = await db.Set<Refund>().FromSql($"SELECT *, xmin FROM refunds WHERE id = {refundId} FOR UPDATE").SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("refund", refundId.ToString());
        refund.Approval.Decide(approve, approver, note, clock.GetUtcNow(), "refunds/" + refundId);
        if (approve)
        {
            // Checked again: a reversal since the request may have taken the money back (then it is not refundable,
            // even on credit: a refund must not pay out money that never arrived).
            var (ceiling, _) = await RefundCeilingAsync(refund.CustomerId, ct);
            if (refund.Amount > ceiling)
            {
                throw new PreconditionFailedException("REFUND_EXCEEDS_REFUNDABLE", "refunds/" + refundId,
                    $"At most {Math.Max(0m, ceiling)} can be refunded now (prepaid cash and deposits not taken back, less refunds approved or paid)");
            }

            var applied = await ledger.ApplyAsync(refund.CustomerId, Postings.RefundApproved(refund.Id, refund.Amount), null, $"refund {refund.Id}", ct);
            db.Enqueue(new RefundApproved(Guid.CreateVersion7(), clock.GetUtcNow(), refund.Id, refund.CustomerId, refund.Amount, applied.Currency, refund.PaymentId), clock);
        }

        audit.Record(approver, approve ? "refund.approved" : "refund.rejected", "refunds/" + refundId, refund.CustomerId, new { note });
        await db.SaveChangesAsync(ct);
        return refund;
    }

    /// <summary>Payment paid the refund out: refunds payable settles against payments clearing.</summary>
    public async Task PaidAsync(Guid refundId, CancellationToken ct)
    {
        var refund = await db.Set<Refund>().SingleOrDefaultAsync(r => r.Id == refundId, ct)
            ?? throw new NotFoundException("refund", refundId.ToString());
        var transferId = Postings.IdFor("refund-paid", refund.Id);
        await ledger.ApplyAsync(refund.CustomerId, transferId,
            book => Postings.RefundPaid(refund.Id, refund.Amount, book), compareReplay: false, $"refund {refund.Id}", ct);
        refund.MarkPaid(clock.GetUtcNow());
        audit.Record("payment", "refund.paid", "refunds/" + refundId, refund.CustomerId, new { refund.Amount });
    }

    /// <summary>Payment could not pay the refund out: the money goes back to prepaid cash.</summary>
    public async Task FailedAsync(Guid refundId, string reason, CancellationToken ct)
    {
        var refund = await db.Set<Refund>().SingleOrDefaultAsync(r => r.Id == refundId, ct)
            ?? throw new NotFoundException("refund", refundId.ToString());
        var back = new Transfer(Postings.IdFor("refund-failed", refund.Id), "refund.failed",
            [new Leg(LedgerAccount.RefundsPayable, LedgerAccount.PrepaidCash, refund.Amount)]);
        await ledger.ApplyAsync(refund.CustomerId, back, null, $"refund {refund.Id}", ct, compareReplay: false);
        refund.MarkFailed(reason);
        audit.Record("payment", "refund.failed", "refunds/" + refundId, refund.CustomerId, new { reason });
    }

    public async Task<Refund> GetAsync(Guid refundId, CancellationToken ct) =>
        await db.Set<Refund>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == refundId, ct)
        ?? throw new NotFoundException("refund", refundId.ToString());

    /// <summary>
    /// What the contract's refund policy allows back, less refunds under it not rejected or failed. Paid is what the
    /// contract's receipts took in; what of it is no longer in prepaid cash counts as consumed (or held for its milestones),
    /// exact for a customer with one contract and never more than the prepaid balance bound above for several.
    /// </summary>
    private async Task<decimal> ContractRefundableAsync(Guid customerId, Guid contractId, CancellationToken ct)
    {
        if (!await db.Set<Contract>().AnyAsync(c => c.Id == contractId && c.CustomerId == customerId, ct))
        {
            throw ValidationException.For("contract_id", "is not a contract of this customer");
        }

        var paid = await db.Set<Receipt>().Where(r => r.ContractId == contractId && r.ReversedAt == null).SumAsync(r => r.Amount, ct);
        var cash = await db.PrepaidAccounts.Where(a => a.CustomerId == customerId).Select(a => a.PrepaidCash).SingleAsync(ct);
        var quote = await contracts.RefundableAsync(contractId, paid, Math.Max(0m, paid - Math.Max(0m, cash)), ct);
        var earlier = await db.Set<Refund>().Where(r => r.ContractId == contractId && r.Approval.State != ApprovalState.Rejected && r.FailureReason == null)
            .SumAsync(r => r.Amount, ct);
        return Math.Max(0m, quote.Refundable - earlier);
    }

    /// <summary>min(prepaid cash, deposits − refunds approved) − refunds awaiting a decision.</summary>
    private async Task<decimal> RefundableAsync(Guid customerId, CancellationToken ct)
    {
        var (ceiling, pending) = await RefundCeilingAsync(customerId, ct);
        return Math.Max(0m, ceiling - pending);
    }

    /// <summary>
    /// min(prepaid cash, deposits not taken back by reversals − refunds approved or paid), and the refunds awaiting a decision.
    /// </summary>
    private async Task<(decimal Ceiling, decimal Pending)> RefundCeilingAsync(Guid customerId, CancellationToken ct)
    {
        var cash = await db.PrepaidAccounts.Where(a => a.CustomerId == customerId).Select(a => (decimal?)a.PrepaidCash).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("prepaid account of customer", customerId.ToString());
        var deposited = await db.Set<LedgerEntryRow>()
            .Where(e => e.CustomerId == customerId && e.Account == LedgerAccount.PrepaidCash && !e.Debit)
            .Join(db.Set<LedgerTransferRow>().Where(t => t.Code == "prepaid.deposit"), e => e.TransferId, t => t.Id, (e, _) => e.Amount)
            .SumAsync(ct);
        deposited -= await db.Set<LedgerEntryRow>() // what reversals took back out of prepaid cash was never there to refund
            .Where(e => e.CustomerId == customerId && e.Account == LedgerAccount.PrepaidCash && e.Debit)
            .Join(db.Set<LedgerTransferRow>().Where(t => t.Code == Postings.ReversalCode), e => e.TransferId, t => t.Id, (e, _) => e.Amount)
            .SumAsync(ct);
        var refunds = await db.Set<Refund>().Where(r => r.CustomerId == customerId && r.Approval.State != ApprovalState.Rejected && r.FailureReason == null)
            .GroupBy(r => r.Approval.State == ApprovalState.Requested)
            .Select(g => new { Pending = g.Key, Sum = g.Sum(r => r.Amount) })
            .ToListAsync(ct);
        var pending = refunds.Where(r => r.Pending).Sum(r => r.Sum);
        var approved = refunds.Where(r => !r.Pending).Sum(r => r.Sum);
        return (Math.Min(cash, deposited - approved), pending);
    }
}

/// <summary>Manual corrections of a book: a transfer applied only when a second person approves it.</summary>
public sealed class AdjustmentDesk(BillingDb db, LedgerStore ledger, AuditTrail audit, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Adjustment> RequestAsync(Guid customerId, IReadOnlyList<Leg> legs, string reason, string actor, CancellationToken ct)
    {
        if (!await db.PrepaidAccounts.AnyAsync(a => a.CustomerId == customerId, ct))
        {
            throw new NotFoundException("prepaid account of customer", customerId.ToString());
        }

        var adjustment = new Adjustment
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            Legs = JsonSerializer.Serialize(legs, Json),
            Reason = reason,
            Approval = new Approval { RequestedBy = actor, RequestedAt = clock.GetUtcNow() },
        };
        db.Add(adjustment);
        audit.Record(actor, "adjustment.requested", "adjustments/" + adjustment.Id, customerId, new { legs, reason });
        await db.SaveChangesAsync(ct);
        return adjustment;
    }

    public async Task<Adjustment> DecideAsync(Guid adjustmentId, bool approve, string? note, string approver, CancellationToken ct)
    {
        var adjustment = await db.Set<Adjustment>().FromSql($"SELECT *, xmin FROM adjustments WHERE id = {adjustmentId} FOR UPDATE").SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("adjustment", adjustmentId.ToString());
        adjustment.Approval.Decide(approve, approver, note, clock.GetUtcNow(), "adjustments/" + adjustmentId);
        if (approve)
        {
            var transfer = new Transfer(adjustment.TransferId, "adjustment.manual", LegsOf(adjustment));
            await ledger.ApplyAsync(adjustment.CustomerId, transfer, null, $"adjustment {adjustment.Id}", ct);
        }

        audit.Record(approver, approve ? "adjustment.applied" : "adjustment.rejected", "adjustments/" + adjustmentId, adjustment.CustomerId, new { note });
        await db.SaveChangesAsync(ct);
        return adjustment;
    }

    public static IReadOnlyList<Leg> LegsOf(Adjustment adjustment) => JsonSerializer.Deserialize<List<Leg>>(adjustment.Legs, Json)!;
}
