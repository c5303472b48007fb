using Platform.Customer.Domain;

namespace Platform.Customer.Engagement.Domain;

/// <summary>Lifecycle configuration (section Engagement:Lifecycle).</summary>
public sealed class LifecycleOptions
{
    public const string Section = "Engagement:Lifecycle";

    /// <summary>A customer without purchase or balance activity for this many days becomes dormant.</summary>
    public int DormantAfterDays { get; set; } = 90;
}

/// <summary>The lifecycle moves, as pure functions of the current stage and what happened.</summary>
public static class LifecycleRules
{
    /// <summary>A signed contract makes a customer, also of a dormant or churned one (a renewal).</summary>
    public static LifecycleStage? OnContractSigned(LifecycleStage stage) =>
        stage is LifecycleStage.Prospect or LifecycleStage.Dormant or LifecycleStage.Churned ? LifecycleStage.Customer : null;

    /// <summary>Purchase or balance activity wakes a dormant customer; a churned one comes back when money is there again.</summary>
    public static LifecycleStage? OnActivity(LifecycleStage stage, bool moneyAvailable) => stage switch
    {
        LifecycleStage.Dormant => LifecycleStage.Customer,
        LifecycleStage.Churned when moneyAvailable => LifecycleStage.Customer,
        _ => null,
    };

    /// <summary>
    /// Nothing left to spend churns a customer, unless a renewal was signed after the balance was last positive (the
    /// renewal's money is on its way).
    /// </summary>
    public static LifecycleStage? OnBalanceExhausted(LifecycleStage stage, DateTimeOffset? lastContractSignedAt,
        DateTimeOffset? lastPositiveBalanceAt)
    {
        var renewed = lastContractSignedAt is { } signed && (lastPositiveBalanceAt is null || signed > lastPositiveBalanceAt);
        return stage is LifecycleStage.Customer or LifecycleStage.Dormant && !renewed ? LifecycleStage.Churned : null;
    }

    public static bool IsDormant(LifecycleStage stage, DateTimeOffset? lastActivityAt, DateTimeOffset now, int dormantAfterDays) =>
        stage == LifecycleStage.Customer && lastActivityAt is { } last && now - last >= TimeSpan.FromDays(dormantAfterDays);
}

/// <summary>What the lifecycle of one customer is decided from, kept as events arrive.</summary>
public sealed class CustomerActivity
{
    public Guid CustomerId { get; init; }

    public DateTimeOffset? LastActivityAt { get; set; }

    public DateTimeOffset? LastContractSignedAt { get; set; }

    public DateTimeOffset? LastPositiveBalanceAt { get; set; }

    /// <summary>
    /// The time the value tier was last computed for (its trailing window ended then): a payment or refund that leaves
    /// the window after it calls for the tier to be computed again (the scheduled refresh), one that left before it
    /// was already out of that computation.
    /// </summary>
    public DateTimeOffset? TierComputedAt { get; set; }
}

public sealed class LifecycleChange
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public LifecycleStage From { get; init; }

    public LifecycleStage To { get; init; }

    public required string Reason { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}

public sealed class IntentGradeRecord
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public IntentGrade From { get; init; }

    public IntentGrade To { get; init; }

    public required string Reason { get; init; }

    public required string ChangedBy { get; init; }

    public DateTimeOffset ChangedAt { get; init; }
}

/// <summary>
/// A payment announcement (<c>PaymentReceived</c>, one per payment and generation), as the customer service keeps it for
/// tiers, loyalty and insight. It counts until it is taken back (<see cref="ReversedAt"/>).
/// </summary>
public sealed class PaymentFact
{
    public Guid PaymentId { get; init; }

    /// <summary>Which announcement of the payment this is: 0 the first, one more after each reversal.</summary>
    public int Generation { get; init; }

    public Guid CustomerId { get; init; }

    public decimal Amount { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When payment said the money was not there after all (<c>PaymentReversed</c>); from then on it counts for nothing.</summary>
    public DateTimeOffset? ReversedAt { get; set; }
}

/// <summary>
/// A payment announcement taken back (<c>PaymentReversed</c>), once per payment and generation. Kept also when the
/// announcement has not arrived yet (events are unordered), so that it then counts for nothing.
/// </summary>
public sealed class PaymentReversal
{
    public Guid PaymentId { get; init; }

    public int Generation { get; init; }

    /// <summary>The customer the reversed announcement named.</summary>
    public Guid CustomerId { get; init; }

    public decimal Amount { get; init; }

    /// <summary><c>bounced</c> or <c>payer_not_a_customer</c>.</summary>
    public required string Reason { get; init; }

    public DateTimeOffset ReversedAt { get; init; }
}

public sealed class RefundFact
{
    public Guid RefundId { get; init; }

    public Guid CustomerId { get; init; }

    public Guid? PaymentId { get; init; }

    public decimal Amount { get; init; }

    public DateTimeOffset PaidAt { get; init; }
}

public sealed class SurveyAnswer
{
    public Guid ComplaintId { get; init; }

    public Guid CustomerId { get; init; }

    public int Score { get; init; }

    public DateTimeOffset AnsweredAt { get; init; }
}
