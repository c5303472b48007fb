namespace Platform.Contracts.Events;

/// <summary>Billing opened the prepaid account of a customer.</summary>
public sealed record PrepaidAccountOpened(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    Guid AccountId,
    string Currency) : IIntegrationEvent;

/// <summary>Both parties signed a contract (or an amendment). The customer service makes the prospect a customer.</summary>
/// <param name="PaymentMode">prepaid, installments or milestones.</param>
public sealed record ContractSigned(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid ContractId,
    Guid CustomerId,
    string ContractNumber,
    decimal TotalAmount,
    string Currency,
    string PaymentMode,
    DateTimeOffset SignedAt) : IIntegrationEvent;

/// <summary>
/// A transfer changed what the customer can spend (deposit, consumption, hold, release, refund, expiry). Counts as
/// balance activity for the customer's lifecycle.
/// </summary>
/// <param name="Code">The transfer's code, for example prepaid.deposit or prepaid.consumed.</param>
/// <param name="Available">Prepaid cash plus promotional credit after the transfer.</param>
public sealed record PrepaidBalanceChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    Guid TransferId,
    string Code,
    decimal Available,
    string Currency) : IIntegrationEvent;

/// <summary>Prepaid funds expired unused and moved to revenue.</summary>
public sealed record PrepaidExpired(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    decimal Amount,
    string Currency,
    decimal Available) : IIntegrationEvent;

/// <summary>
/// A refund was approved by a second person (maker-checker) and moved to refunds payable; the payment service pays it
/// out (through the original payment's method when <paramref name="PaymentId"/> is given, otherwise by transfer) and
/// answers RefundPaid or RefundFailed.
/// </summary>
public sealed record RefundApproved(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid RefundId,
    Guid CustomerId,
    decimal Amount,
    string Currency,
    Guid? PaymentId = null) : IIntegrationEvent;

/// <summary>The scheduled ledger check found broken invariants: an alarm for the finance and SRE on-call.</summary>
public sealed record LedgerInvariantBroken(
    Guid EventId,
    DateTimeOffset OccurredAt,
    int Violations,
    IReadOnlyList<string> FirstViolations) : IIntegrationEvent;

/// <summary>What the customer can spend fell below a threshold (by amount, or by days of runway at the burn rate); once per crossing.</summary>
/// <param name="Trigger">amount or runway.</param>
/// <param name="RunwayDays">Days until the balance runs out at the recent burn rate (null when nothing is being spent).</param>
public sealed record PrepaidBalanceLow(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    decimal Available,
    string Currency,
    string Trigger,
    decimal Threshold,
    decimal? RunwayDays) : IIntegrationEvent;

/// <summary>Prepaid funds expire in <paramref name="DaysLeft"/> days (30, 7 or 1); once per lot and reminder.</summary>
public sealed record PrepaidExpiring(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    Guid LotId,
    decimal Amount,
    string Currency,
    DateTimeOffset ExpiresAt,
    int DaysLeft) : IIntegrationEvent;

/// <summary>A balance confirmation letter was issued; the notification service sends it to the customer.</summary>
public sealed record BalanceConfirmationIssued(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid ConfirmationId,
    Guid CustomerId,
    DateTimeOffset AsOf,
    decimal PrepaidCash,
    decimal PromotionalCredit,
    decimal Held,
    string Currency) : IIntegrationEvent;

/// <summary>The customer disputed a balance confirmation; finance follows it up.</summary>
public sealed record BalanceConfirmationDisputed(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid ConfirmationId,
    Guid CustomerId,
    string Reason) : IIntegrationEvent;
