namespace Platform.Payment.Reconciliation;

/// <summary>Reconciliation (<c>Payment:Reconciliation</c>).</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Payment:Reconciliation";

    /// <summary>A statement line and a payment this many days apart (or fewer) still match.</summary>
    public int DateToleranceDays { get; set; } = 1;

    /// <summary>The offset of the business's day (statement days are local days; China is +08:00).</summary>
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How often the reconciliation run goes (daily).</summary>
    public TimeSpan RunInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The daily run downloads each wallet provider's statement of the previous day and imports it.</summary>
    public bool PullGatewayStatements { get; set; }

    /// <summary>
    /// How many past days each run looks at for a provider's statement not pulled yet (a run that failed, or did not run,
    /// is made up for by the next), counted back from yesterday and never before the provider's first pulled statement.
    /// </summary>
    public int PullDays { get; set; } = 7;
}
