namespace Platform.Contracts.Events;

/// <summary>Billing opened the prepaid account of a customer.</summary>
public sealed record PrepaidAccountOpened(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    Guid AccountId,
    string Currency) : IIntegrationEvent;
