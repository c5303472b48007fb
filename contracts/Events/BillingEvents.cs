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
