using Platform.BuildingBlocks.Money;

namespace Platform.Payment.Recording.Application;

/// <summary>Configuration under <c>Payment:Recording</c>.</summary>
public sealed class RecordingOptions
{
    public const string Section = "Payment:Recording";

    /// <summary>The one currency payments are recorded in.</summary>
    public string Currency { get; set; } = MoneyExtensions.DefaultCurrency;

    /// <summary>How far ahead of the service's clock a receive or booked time may be (clocks of tills and banks drift).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}
