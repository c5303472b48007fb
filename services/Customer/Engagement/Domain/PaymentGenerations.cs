namespace Platform.Customer.Engagement.Domain;

/// <summary>
/// Which payment announcements count. Payment announces a payment again (generation + 1) only after taking the previous
/// announcement back, so a generation at or below one already seen (announced or reversed) is a repeat, or was taken
/// back before it got here (its reversal, or a later generation, overtook it): it counts for nothing.
/// </summary>
public static class PaymentGenerations
{
    /// <summary>
    /// Whether the announcement of <paramref name="generation"/> counts, given the highest generation of the payment
    /// already seen in an announcement or a reversal (null: none).
    /// </summary>
    public static bool Counts(int generation, int? highestSeen) => generation >= 0 && (highestSeen is not { } seen || generation > seen);
}
