namespace Platform.Billing.Commerce.Domain;

public enum RefundBasis
{
    ElapsedTime = 1,
    Consumption = 2,
}

/// <summary>How a refund of <see cref="RefundPolicy.Refundable"/> was reached.</summary>
/// <param name="Pool">What was paid less the non-refundable fee items.</param>
/// <param name="Remaining">The pool less what the basis counts as used (consumption, or the elapsed share).</param>
/// <param name="HandlingFee">Kept from the remaining amount.</param>
/// <param name="Refundable">What may be refunded now, before earlier refunds.</param>
public sealed record RefundQuote(decimal Pool, decimal Remaining, decimal HandlingFee, decimal Refundable);

/// <summary>
/// A contract's refund policy. The non-refundable fee items come off what was paid first; then the basis decides what
/// is used: by consumption, what was consumed; by elapsed time, the elapsed share of the term (but never less than
/// what was consumed: consumed money is never refunded). The handling fee is a share of what remains.
/// </summary>
public sealed record RefundPolicy(RefundBasis Basis, IReadOnlyList<string> NonRefundableFeeCodes, int HandlingFeeBasisPoints)
{
    /// <param name="paid">Paid under the contract (not negative).</param>
    /// <param name="consumed">Consumed (recognized as revenue) under it.</param>
    /// <param name="elapsedShare">Elapsed share of the term, clamped to 0..1.</param>
    /// <param name="nonRefundable">The total of the contract's non-refundable fee items.</param>
    public RefundQuote Refundable(decimal paid, decimal consumed, decimal elapsedShare, decimal nonRefundable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(paid);
        ArgumentOutOfRangeException.ThrowIfNegative(consumed);
        var elapsed = Math.Clamp(elapsedShare, 0m, 1m);
        var pool = Math.Max(0m, paid - Math.Max(0m, nonRefundable));
        var unconsumed = Math.Max(0m, paid - consumed);
        var remaining = Basis switch
        {
            RefundBasis.Consumption => pool - consumed,
            _ => DiscountStacking.Cents(pool * (1m - elapsed)),
        };
        remaining = Math.Clamp(Math.Min(remaining, unconsumed), 0m, pool);
        var fee = Math.Min(remaining, DiscountStacking.Cents(remaining * HandlingFeeBasisPoints / 10_000m));
        return new RefundQuote(pool, remaining, fee, remaining - fee);
    }
}
