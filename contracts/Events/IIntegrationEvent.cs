namespace Platform.Contracts.Events;

/// <summary>A fact one service announces to the others. Immutable; evolves only by adding members.</summary>
public interface IIntegrationEvent
{
    /// <summary>Unique per event; also the message id on the bus, so consumers de-duplicate by it.</summary>
    Guid EventId { get; }

    DateTimeOffset OccurredAt { get; }
}
