namespace Platform.Customer.Domain;

public enum Gender
{
    Unspecified = 0,
    Female = 1,
    Male = 2,
    Other = 3,
}

public enum FamilyStatus
{
    Unspecified = 0,
    Unmarried = 1,
    Married = 2,
    MarriedWithChildren = 3,
    Other = 4,
}

/// <summary>What the customer wants to buy.</summary>
public enum NeedType
{
    Unspecified = 0,
    Product = 1,
    Service = 2,
    Combined = 3,
}

/// <summary>How the customer came to us.</summary>
public enum AcquisitionChannel
{
    Unspecified = 0,
    FaceToFace = 1,
    Phone = 2,
    WebsiteMessage = 3,
    SocialMedia = 4,
    TradeShow = 5,
    Referral = 6,
}

/// <summary>A postal address (stored as jsonb; not PII on its own here, but cleared on erasure).</summary>
public sealed record PostalAddress(string RegionCode, string Province, string City, string District, string Street, string PostalCode);
