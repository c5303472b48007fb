namespace Platform.Contracts.Events;

/// <summary>A customer moved along the lifecycle (prospect, customer, dormant, churned).</summary>
/// <param name="From">The stage before, lower case (prospect, customer, dormant, churned).</param>
/// <param name="To">The stage after, lower case.</param>
/// <param name="Reason">What moved it: contract_signed, activity, dormant_scan, balance_exhausted, prepaid_expired.</param>
public sealed record LifecycleStageChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    string From,
    string To,
    string Reason) : IIntegrationEvent;

/// <summary>The value tier of a customer changed after a recomputation from trailing-12-month payments.</summary>
/// <param name="From">unrated, low, mid or high.</param>
/// <param name="To">low, mid or high.</param>
public sealed record CustomerTierChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    string From,
    string To,
    decimal PaidAmount,
    int Purchases) : IIntegrationEvent;

/// <summary>Sales set the purchase-intent grade of a customer.</summary>
/// <param name="From">ungraded, a, b or c.</param>
/// <param name="To">a, b or c.</param>
public sealed record IntentGradeChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    string From,
    string To,
    string Reason,
    string ChangedBy) : IIntegrationEvent;

/// <summary>A follow-up task passed its due time without being completed; raised once per task.</summary>
/// <param name="Channel">call, visit, email, meeting or note: how the owner should follow up.</param>
public sealed record FollowUpDue(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid TaskId,
    Guid CustomerId,
    Guid OwnerId,
    DateTimeOffset DueAt,
    string Channel) : IIntegrationEvent;

/// <summary>A customer redeemed loyalty points; billing credits the amount as promotional credit, once per redemption.</summary>
public sealed record LoyaltyCreditRedeemed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid RedemptionId,
    Guid CustomerId,
    long Points,
    decimal Amount,
    string Currency) : IIntegrationEvent;
