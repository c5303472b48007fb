namespace Platform.Billing.Commerce.Consumption.Application;

/// <summary>Configuration section Billing:Consumption.</summary>
public sealed class ConsumptionOptions
{
    public const string Section = "Billing:Consumption";

    /// <summary>Whether the charging job runs in this process (RecordUsage works either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the job charges what contracts have due.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether an auto-renewing contract's schedule goes on into its renewed terms, at the renewal price (default false:
    /// the prepayment invoice of a prepaid contract asks for one term only, so a renewed term is charged from prepaid
    /// money only once the business bills renewals this way).
    /// </summary>
    public bool ChargeRenewedTerms { get; set; }

    /// <summary>Contracts loaded per batch by the job.</summary>
    public int BatchSize { get; set; } = 200;
}
