namespace Platform.Payment.Online;

/// <summary>Log event ids of online payments; the security events are what alerting watches.</summary>
public static class OnlineEvents
{
    /// <summary>Security event: a provider notification whose signature was missing, wrong or stale was refused.</summary>
    public static readonly EventId NotificationRejected = new(5101, "PaymentNotificationRejected");

    /// <summary>
    /// Security event: a provider reported an amount other than the intent's (recorded as paid) or one of zero or less (not applied).
    /// </summary>
    public static readonly EventId AmountMismatch = new(5102, "PaymentNotificationAmountMismatch");

    public static readonly EventId IntentExpired = new(5103, "PaymentIntentExpired");

    /// <summary>The re-check could not ask the provider about an intent, or apply its answer; the intent stays open.</summary>
    public static readonly EventId RecheckFailed = new(5104, "PaymentIntentRecheckFailed");
}
