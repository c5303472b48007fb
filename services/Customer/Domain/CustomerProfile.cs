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

    /// <summary>Why the customer was erased (the operator's note, for the audit).</summary>
    public string? ErasureReason { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public bool IsMerged => MergedIntoId is not null;

    public bool IsErased => Stage == LifecycleStage.Erased;

    /// <summary>
    /// Takes over what the duplicate knows and this profile does not (tags and attributes are united, this profile's
    /// values win); the duplicate itself is kept unchanged apart from pointing here.
    /// </summary>
    public void Absorb(CustomerProfile duplicate, DateTimeOffset now)
    {
        Tags = [.. Tags.Union(duplicate.Tags, StringComparer.Ordinal).Take(ProfileRules.MaxTags)];
        foreach (var (key, value) in duplicate.CustomAttributes)
        {
            if (CustomAttributes.Count < ProfileRules.MaxAttributes)
            {
                CustomAttributes.TryAdd(key, value);
            }
        }

        Industry ??= duplicate.Industry;
        Address ??= duplicate.Address;
        Occupation ??= duplicate.Occupation;
        Birthday ??= duplicate.Birthday;
        DecisionProcessNotes ??= duplicate.DecisionProcessNotes;
        Gender = Gender == Gender.Unspecified ? duplicate.Gender : Gender;
        FamilyStatus = FamilyStatus == FamilyStatus.Unspecified ? duplicate.FamilyStatus : FamilyStatus;
        NeedType = NeedType == NeedType.Unspecified ? duplicate.NeedType : NeedType;
        AcquisitionChannel = AcquisitionChannel == AcquisitionChannel.Unspecified ? duplicate.AcquisitionChannel : AcquisitionChannel;
        if (BudgetMin is null && BudgetMax is null)
        {
            (BudgetMin, BudgetMax, BudgetCurrency) = (duplicate.BudgetMin, duplicate.BudgetMax, duplicate.BudgetCurrency);
        }

        duplicate.MergedIntoId = Id;
        duplicate.UpdatedAt = now;
        UpdatedAt = now;
    }

    /// <summary>
    /// Pseudonymises: every personal field is cleared (PII, name, address, individual fields, notes, tags, attributes);
    /// what aggregates need (kind, industry, tiers, channel, owner, dates) stays.
    /// </summary>
    public void Erase(string reason, DateTimeOffset now)
    {
        DisplayName = "Erased customer " + Id.ToString("N")[^8..];
        (EmailCipher, EmailIndex, PhoneCipher, PhoneIndex, IdentityCipher, IdentityIndex) = (null, null, null, null, null, null);
        (Address, Occupation, Birthday, DecisionProcessNotes) = (null, null, null, null);
        (Gender, FamilyStatus) = (Gender.Unspecified, FamilyStatus.Unspecified);
        Tags = [];
        CustomAttributes = [];
        Stage = LifecycleStage.Erased;
        ErasedAt = now;
        ErasureReason = reason;
        UpdatedAt = now;
    }

    /// <summary>Concurrency token (PostgreSQL xmin); the etag clients send back.</summary>
    public uint Version { get; set; }
}
