using Platform.BuildingBlocks.Money;

namespace Platform.Billing.Application;

public sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary>Currency of new prepaid accounts (ISO 4217).</summary>
    public string DefaultCurrency { get; set; } = MoneyExtensions.DefaultCurrency;
}
