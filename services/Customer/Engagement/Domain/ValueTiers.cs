using Platform.Customer.Domain;

namespace Platform.Customer.Engagement.Domain;

/// <summary>Thresholds of the value tiers (configuration section Engagement:Tiers).</summary>
public sealed class TierThresholds
{
    public const string Section = "Engagement:Tiers";

    /// <summary>High needs both this trailing-12-month net paid amount and <see cref="HighPurchases"/>.</summary>
    public decimal HighAmount { get; set; } = 100_000m;

    public int HighPurchases { get; set; } = 4;

    /// <summary>Mid needs this amount or <see cref="MidPurchases"/>.</summary>
    public decimal MidAmount { get; set; } = 20_000m;

    public int MidPurchases { get; set; } = 2;
}

/// <summary>What a tier is computed from: net paid (paid minus refunded) and purchases in the trailing 12 months.</summary>
public sealed record TierBasis(decimal PaidAmount, int Purchases);

public static class ValueTiers
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(365);

    /// <summary>Net paid and purchase count of the payments and refunds in the 12 months up to <paramref name="now"/>.</summary>
    public static TierBasis Basis(IEnumerable<(DateTimeOffset At, decimal Amount)> payments,
        IEnumerable<(DateTimeOffset At, decimal Amount)> refunds, DateTimeOffset now)
    {
        var since = now - Window;
        var paid = payments.Where(p => p.At > since && p.At <= now).ToList();
        return Basis(paid.Sum(p => p.Amount), paid.Count, refunds.Where(r => r.At > since && r.At <= now).Sum(r => r.Amount));
    }

    /// <summary>The basis from totals already taken over the window: net paid never below zero.</summary>
    public static TierBasis Basis(decimal paid, int purchases, decimal refunded) => new(Math.Max(0, paid - refunded), purchases);

    public static ValueTier Compute(TierBasis basis, TierThresholds thresholds) =>
        basis.PaidAmount >= thresholds.HighAmount && basis.Purchases >= thresholds.HighPurchases ? ValueTier.High
        : basis.PaidAmount >= thresholds.MidAmount || basis.Purchases >= thresholds.MidPurchases ? ValueTier.Mid
        : ValueTier.Low;
}
