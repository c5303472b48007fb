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

    /// <summary>How often the payers of payments recorded unverified are checked again.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most payments one re-check pass takes.</summary>
    public int RecheckBatchSize { get; set; } = 200;

    /// <summary>Whether this replica runs the re-check (one replica at a time does, whichever takes its lock).</summary>
    public bool RecheckEnabled { get; set; } = true;
}
