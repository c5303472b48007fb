namespace Platform.Contracts.Events;

/// <summary>A prospect was registered. Carries no PII: consumers ask the customer service for details.</summary>
public sealed record CustomerRegistered(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    string Kind,
    Guid? OwnerId) : IIntegrationEvent;
