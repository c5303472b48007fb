namespace Platform.Customer.Engagement.Domain;

/// <summary>Loyalty rules (configuration section Engagement:Loyalty).</summary>
public sealed class LoyaltyRules
{
    public const string Section = "Engagement:Loyalty";

    /// <summary>Points per currency unit paid (fractions of a point are dropped).</summary>
    public decimal PointsPerUnit { get; set; } = 1m;

    /// <summary>Points the referrer earns when the referred customer signs a first contract.</summary>
    public long ReferralPoints { get; set; } = 500;

    /// <summary>Promotional credit one point is worth.</summary>
    public decimal CreditPerPoint { get; set; } = 0.01m;

    public long MinimumRedemption { get; set; } = 100;

    public long PointsFor(decimal paidAmount) => paidAmount <= 0 ? 0 : (long)decimal.Floor(paidAmount * PointsPerUnit);

    public decimal CreditFor(long points) => points * CreditPerPoint;

    /// <summary>
    /// Points a refund or a reversal takes back: those the refunded amount (or the reversed announcement) earned
    /// (<paramref name="wanted"/>), no more than the payment earned and has not yet lost, and never so many that the
    /// balance goes below zero (points already redeemed stay redeemed).
    /// </summary>
    public static long RevokedFor(long wanted, long earnedByPayment, long alreadyRevoked, long balance) =>
        Math.Max(0, Math.Min(Math.Min(wanted, earnedByPayment - alreadyRevoked), balance));
}

/// <summary>One movement of a customer's points; unique per (customer, kind, source, generation) so a source counts once.</summary>
public sealed class LoyaltyEntry
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public LoyaltyEntryKind Kind { get; init; }

    public long Points { get; init; }

    /// <summary>The payment, referred customer, refund or redemption the entry comes from.</summary>
    public Guid SourceId { get; init; }

    /// <summary>For a payment, a refund revocation or a reversal: the payment whose points it earns or takes back.</summary>
    public Guid? PaymentId { get; init; }

    /// <summary>
    /// For a payment or a reversal: the payment's announcement (a payment announced again after a reversal earns again);
    /// 0 otherwise.
    /// </summary>
    public int Generation { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A customer brought in by another; rewarded once, when the referred customer signs a first contract.</summary>
public sealed class Referral
{
    public Guid ReferredCustomerId { get; init; }

    public Guid ReferrerCustomerId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RewardedAt { get; set; }
}
