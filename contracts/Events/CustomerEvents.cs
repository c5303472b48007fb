namespace Platform.Contracts.Events;

/// <summary>A prospect was registered. Carries no PII: consumers ask the customer service for details.</summary>
public sealed record CustomerRegistered(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    string Kind,
    Guid? OwnerId) : IIntegrationEvent;

/// <summary>
/// A duplicate customer was merged into a survivor. The merged customer's id stays valid as history; consumers
/// holding it should refer to the survivor from now on.
/// </summary>
public sealed record CustomersMerged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid SurvivorId,
    Guid MergedId) : IIntegrationEvent;

/// <summary>
/// A customer's personal data was erased (pseudonymised) on request. Consumers pseudonymise what they hold of the
/// customer (complaint texts, notification addresses); ledgers keep their rows.
/// </summary>
public sealed record CustomerErased(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId) : IIntegrationEvent;

/// <summary>
/// A customer was given to another owner (sales rep), or its owner was removed. Consumers holding work of the customer
/// for its owner (collections call tasks, payment exception work items) move it to the new owner.
/// </summary>
/// <param name="PreviousOwnerId">The owner before the change; null when the customer had none.</param>
/// <param name="OwnerId">The new owner; null when the customer now has none.</param>
public sealed record CustomerOwnerChanged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    Guid? PreviousOwnerId,
    Guid? OwnerId) : IIntegrationEvent;
