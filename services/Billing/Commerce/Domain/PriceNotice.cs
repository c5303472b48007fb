namespace Platform.Billing.Commerce.Domain;

/// <summary>
/// The notice a price change needs: the configured notice period, never less than the configured minimum. Pricing a fee
/// item for the first time is not a change (nobody holds a price for it yet) and may take effect at once.
/// </summary>
public static class PriceNotice
{
    public static int RequiredDays(int noticeDays, int minimumDays) => Math.Max(Math.Max(noticeDays, minimumDays), 0);

    /// <summary>The earliest effective date allowed for a change scheduled at <paramref name="now"/>.</summary>
    public static DateTimeOffset EarliestEffective(DateTimeOffset now, int noticeDays, int minimumDays) =>
        now.AddDays(RequiredDays(noticeDays, minimumDays));

    public static bool IsEnough(DateTimeOffset now, DateTimeOffset effectiveFrom, bool newItemsOnly, int noticeDays, int minimumDays) =>
        newItemsOnly ? effectiveFrom >= now.AddMinutes(-5) : effectiveFrom >= EarliestEffective(now, noticeDays, minimumDays);
}
