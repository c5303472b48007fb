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

    /// <summary>PrepaidBalanceLow fires when what the customer can spend falls below this (0: off).</summary>
    public decimal LowBalanceAmount { get; set; } = 100m;

    /// <summary>PrepaidBalanceLow fires when the balance lasts fewer days than this at the burn rate (0: off).</summary>
    public int LowBalanceRunwayDays { get; set; } = 14;

    /// <summary>The window the burn rate (revenue recognized per day) is measured over, in days.</summary>
    public int BurnRateWindowDays { get; set; } = 30;

    /// <summary>Days before expiry at which PrepaidExpiring reminds, once each.</summary>
    public int[] ExpiryReminderDays { get; set; } = [30, 7, 1];

    /// <summary>How often expiry, reminders and the runway watch run.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many transactions apply Transfer RPCs at once (each a group commit of what has gathered).</summary>
    public int LedgerWriters { get; set; } = 2;

    /// <summary>At most this many Transfer RPCs share one transaction.</summary>
    public int LedgerBatch { get; set; } = 64;

    /// <summary>How often the whole ledger's invariants are checked.</summary>
    public TimeSpan InvariantCheckInterval { get; set; } = TimeSpan.FromMinutes(30);
}
