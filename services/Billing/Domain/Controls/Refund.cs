namespace Platform.Billing.Domain.Controls;

public enum RefundState
{
    Requested = 1,
    Approved = 2,
    Rejected = 3,
    Paid = 4,
    Failed = 5,
}

/// <summary>A refund of prepaid cash: requested, decided by a second person, then paid out by the payment service.</summary>
public sealed class Refund
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public decimal Amount { get; init; }

    public required string Reason { get; init; }

    public Guid? PaymentId { get; init; }

    /// <summary>The contract whose refund policy bounded the amount.</summary>
    public Guid? ContractId { get; init; }

    public required Approval Approval { get; init; }

    public DateTimeOffset? PaidAt { get; private set; }

    public string? FailureReason { get; private set; }

    public RefundState State => Approval.State switch
    {
        ApprovalState.Requested => RefundState.Requested,
        ApprovalState.Rejected => RefundState.Rejected,
        _ when PaidAt is not null => RefundState.Paid,
        _ when FailureReason is not null => RefundState.Failed,
        _ => RefundState.Approved,
    };

    public void MarkPaid(DateTimeOffset at) => PaidAt ??= at;

    public void MarkFailed(string reason) => FailureReason ??= reason;
}

public enum AdjustmentState
{
    Requested = 1,
    Applied = 2,
    Rejected = 3,
}

/// <summary>A manual correction of a customer's book: a transfer applied only once a second person approves it.</summary>
public sealed class Adjustment
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    /// <summary>The transfer's legs as JSON (the same shape the ledger keeps).</summary>
    public required string Legs { get; init; }

    public required string Reason { get; init; }

    public required Approval Approval { get; init; }

    public AdjustmentState State => Approval.State switch
    {
        ApprovalState.Approved => AdjustmentState.Applied,
        ApprovalState.Rejected => AdjustmentState.Rejected,
        _ => AdjustmentState.Requested,
    };

    /// <summary>The ledger transfer an approval applies: derived from the adjustment, so a retried approval applies it once.</summary>
    public Guid TransferId => Ledger.Postings.IdFor("adjustment", Id);
}
