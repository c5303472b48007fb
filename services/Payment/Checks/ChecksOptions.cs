namespace Platform.Payment.Checks;

/// <summary>Configuration section Payment:Checks.</summary>
public sealed class ChecksOptions
{
    public const string Section = "Payment:Checks";

    /// <summary>
    /// How long a payment waits for the customer or billing service when it asks about a payer or an invoice its own
    /// view does not know yet. After that the money is taken anyway (unverified, logged): an outage never turns it away.
    /// </summary>
    public TimeSpan LookupTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
