namespace Platform.Customer.Domain;

public enum CustomerKind
{
    Individual = 1,
    Organization = 2,
}

/// <summary>Value tier, recomputed from trailing-12-month paid amount and purchase frequency.</summary>
public enum ValueTier
{
    Unrated = 0,
    Low = 1,
    Mid = 2,
    High = 3,
}

/// <summary>Purchase-intent grade set by sales.</summary>
public enum IntentGrade
{
    Ungraded = 0,
    A = 1,
    B = 2,
    C = 3,
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

    public ValueTier ValueTier { get; set; }

    public IntentGrade IntentGrade { get; set; }

    /// <summary>Lower-case industry code (manufacturing, services, finance, education, retail, other, ...); null when unknown.</summary>
    public string? Industry { get; set; }

    /// <summary>Identity document number (PII): ciphertext with its key id, and the blind index for lookups.</summary>
    public string? IdentityCipher { get; set; }

    public string? IdentityIndex { get; set; }

    public PostalAddress? Address { get; set; }

    public string? Occupation { get; set; }

    public DateOnly? Birthday { get; set; }

    public Gender Gender { get; set; }

    public FamilyStatus FamilyStatus { get; set; }

    public NeedType NeedType { get; set; }

    /// <summary>Budget range in <see cref="BudgetCurrency"/>; either bound may be open.</summary>
    public decimal? BudgetMin { get; set; }

    public decimal? BudgetMax { get; set; }

    public string? BudgetCurrency { get; set; }

    public string? DecisionProcessNotes { get; set; }

    public AcquisitionChannel AcquisitionChannel { get; set; }

    /// <summary>Lower-case labels (text[] with a GIN index, so a tag filter is an index lookup).</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>Free key/value attributes (jsonb).</summary>
    public Dictionary<string, string> CustomAttributes { get; set; } = [];

    /// <summary>Set when this customer was merged into another: the row stays as history, lists leave it out.</summary>
    public Guid? MergedIntoId { get; set; }

    public DateTimeOffset? ErasedAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>Concurrency token (PostgreSQL xmin); the etag clients send back.</summary>
    public uint Version { get; set; }
}
