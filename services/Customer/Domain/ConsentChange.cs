namespace Platform.Customer.Domain;

/// <summary>What a customer may be contacted for; collections and transactional notices ask separately from marketing.</summary>
public enum ConsentPurpose
{
    Unspecified = 0,
    Marketing = 1,
    Transactional = 2,
    Collections = 3,
}

/// <summary>One grant or withdrawal of consent; the latest per purpose is the current consent, the rest its history.</summary>
public sealed class ConsentChange
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public ConsentPurpose Purpose { get; init; }

    public bool Granted { get; init; }

    public required string Source { get; init; }

    public required string RecordedBy { get; init; }

    public DateTimeOffset ChangedAt { get; init; }
}
