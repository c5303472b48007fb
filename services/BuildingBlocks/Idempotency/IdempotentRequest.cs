namespace Platform.BuildingBlocks.Idempotency;

/// <summary>The first answer to a mutating request, kept under its caller-chosen key.</summary>
public sealed class IdempotentRequest
{
    /// <summary>"{operation}:{request_id}".</summary>
    public required string Key { get; init; }

    /// <summary>Per-field keyed hashes of the first request (<see cref="RequestFingerprint"/>): enough to name a differing field, no plaintext.</summary>
    public required string Request { get; init; }

    public required byte[] Response { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The records the answer speaks of (for example <c>customers/{id}</c>), so erasing one can forget the answers that
    /// carry its data; null when the answer holds nothing personal.
    /// </summary>
    public string[]? Subjects { get; init; }

    /// <summary>When the answer was forgotten because its subject was erased; a replay is then refused.</summary>
    public DateTimeOffset? ErasedAt { get; init; }
}
