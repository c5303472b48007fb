namespace Platform.Customer.Domain;

public enum CustomerKind
{
    Individual = 1,
    Organization = 2,
}

public enum LifecycleStage
{
    Prospect = 1,
    Customer = 2,
    Dormant = 3,
    Churned = 4,
    Erased = 5,
}

/// <summary>A customer as stored: PII only as ciphertext plus a blind index for lookups.</summary>
public sealed class CustomerProfile
{
    public Guid Id { get; init; }

    public CustomerKind Kind { get; init; }

    public required string DisplayName { get; set; }

    public string? EmailCipher { get; set; }

    public string? EmailIndex { get; set; }

    public string? PhoneCipher { get; set; }

    public string? PhoneIndex { get; set; }

    public Guid? OwnerId { get; set; }

    public LifecycleStage Stage { get; set; } = LifecycleStage.Prospect;

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Concurrency token (PostgreSQL xmin); the etag clients send back.</summary>
    public uint Version { get; set; }
}
