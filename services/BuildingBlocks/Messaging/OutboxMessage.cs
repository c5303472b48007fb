namespace Platform.BuildingBlocks.Messaging;

/// <summary>An integration event waiting to be published, written in the same transaction as the change it announces.</summary>
public sealed class OutboxMessage
{
    /// <summary>Also the message id on the bus: a re-publish after a crash is recognised by the consumer's inbox.</summary>
    public Guid Id { get; init; }

    /// <summary>Publishing order within a relay.</summary>
    public long Sequence { get; init; }

    /// <summary>Full name of the event type in Platform.Contracts.Events.</summary>
    public required string MessageType { get; init; }

    public required string Payload { get; init; }

    /// <summary>W3C traceparent of the request that wrote the row; the publish continues its trace.</summary>
    public string? TraceParent { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SentAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>A message a consumer has applied; recorded in the consumer's transaction.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; init; }

    public required string Consumer { get; init; }

    public DateTimeOffset ProcessedAt { get; init; }
}
