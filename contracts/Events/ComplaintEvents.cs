namespace Platform.Contracts.Events;

/// <summary>A customer answered the satisfaction survey sent after a complaint was closed.</summary>
/// <param name="Score">1 (very dissatisfied) to 5 (very satisfied).</param>
public sealed record SatisfactionSurveyAnswered(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid CustomerId,
    Guid ComplaintId,
    int Score) : IIntegrationEvent;
