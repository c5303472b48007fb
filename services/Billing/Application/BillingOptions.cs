using Platform.BuildingBlocks.Money;

namespace Platform.Billing.Application;

public sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary>Currency of new prepaid accounts (ISO 4217).</summary>
    public string DefaultCurrency { get; set; } = MoneyExtensions.DefaultCurrency;

    /// <summary>Share of every deposit moved into the risk reserve (0-1).</summary>
    public decimal RiskReserveShare { get; set; } = 0.1m;

    /// <summary>How long deposited money stays spendable when the contract says nothing (days; 0: never expires).</summary>
    public int PrepaidValidityDays { get; set; } = 365;
}
