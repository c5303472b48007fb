namespace Platform.BuildingBlocks.Privacy;

/// <summary>Masks PII for callers who may not read it (and for any place that shows it partially).</summary>
public static class PiiMask
{
    public static string Email(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : email[0] + "***" + email[at..];
    }

    public static string Phone(string phone) =>
        phone.Length <= 4 ? "****" : phone[..Math.Min(3, phone.Length - 4)] + new string('*', phone.Length - Math.Min(3, phone.Length - 4) - 4) + phone[^4..];
}
