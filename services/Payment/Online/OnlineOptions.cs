namespace Platform.Payment.Online;

/// <summary>Online payments (<c>Payment:Online</c>).</summary>
public sealed class OnlineOptions
{
    public const string Section = "Payment:Online";

    /// <summary>How long the payer has to pay before the re-check expires the intent.</summary>
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>An intent still pending (or unknown to the provider) this long after creation is re-checked with the provider.</summary>
    public TimeSpan RecheckAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the re-check runs.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Intents asked about per pass.</summary>
    public int RecheckBatch { get; set; } = 200;

    public SimulatorOptions Simulator { get; set; } = new();
}

/// <summary>The built-in QR-code wallet (<c>Payment:Online:Simulator</c>), for local use and tests.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Registers the simulator provider and its payer endpoints (on in Development). Never enable it where real money moves.</summary>
    public bool Enabled { get; set; }

    /// <summary>The HMAC-SHA256 key the simulator signs notifications with and the service verifies them with (16+ characters).</summary>
    public string Secret { get; set; } = "";

    /// <summary>The payment service's own HTTP/1.1 base URL: where notifications are posted and what the QR code points at.</summary>
    public Uri ServiceBaseUrl { get; set; } = new("http://localhost:8081");

    /// <summary>A notification whose timestamp is further than this from our clock is refused (replay protection).</summary>
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after the payer pays the simulator posts its notification.</summary>
    public TimeSpan NotifyDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
