namespace Platform.Payment.Payouts;

/// <summary>Refund payouts (<c>Payment:Payouts</c>).</summary>
public sealed class PayoutsOptions
{
    public const string Section = "Payment:Payouts";

    /// <summary>How often payouts in flight are sent or asked about.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Payouts handled per pass.</summary>
    public int Batch { get; set; } = 100;

    /// <summary>
    /// The longest a payout in flight waits between two asks. It is asked again after as long as it has been in flight,
    /// at least <see cref="Interval"/>: a transfer pending at the bank for a day is asked about hourly, not every pass.
    /// </summary>
    public TimeSpan MaxCheckDelay { get; set; } = TimeSpan.FromHours(1);

    public PayoutSimulatorOptions Simulator { get; set; } = new();
}

/// <summary>The simulated bank payout API (<c>Payment:Payouts:Simulator</c>).</summary>
public sealed class PayoutSimulatorOptions
{
    /// <summary>Registers the simulator as the payout provider (on in Development). Never enable it where real money moves.</summary>
    public bool Enabled { get; set; }

    /// <summary>Transfers above this are refused (RefundFailed with the bank's reason).</summary>
    public decimal SingleTransferLimit { get; set; } = 1_000_000m;

    /// <summary>How long an accepted transfer stays pending before it is paid.</summary>
    public TimeSpan SettleAfter { get; set; } = TimeSpan.Zero;
}
