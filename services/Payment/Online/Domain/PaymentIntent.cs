using Platform.Payment.Domain;

namespace Platform.Payment.Online.Domain;

/// <summary>Where an online payment intent stands.</summary>
public enum IntentState
{
    /// <summary>Stored; the provider has not issued a QR code yet.</summary>
    Created,

    /// <summary>The QR code is out; waiting for the payer (or for the provider to tell us).</summary>
    Pending,

    Succeeded,
    Failed,
    Expired,
    Cancelled,
}

/// <summary>
/// A request for the customer to pay <see cref="Amount"/> by wallet. The state machine is
/// created → pending → succeeded / failed / expired (or cancelled by staff); every transition method answers whether
/// it changed anything, so a repeated notification or a re-check that learns the same outcome is a no-op.
/// </summary>
public sealed class PaymentIntent
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public decimal Amount { get; init; }

    public required string Currency { get; init; }

    /// <summary>Alipay or WeChat Pay.</summary>
    public PaymentMethod Method { get; init; }

    public IntentState State { get; private set; }

    /// <summary>The provider's name (simulator, ...).</summary>
    public required string Provider { get; init; }

    /// <summary>The provider's reference; unique per provider, it becomes the recorded payment's reference.</summary>
    public string? ProviderReference { get; private set; }

    public string? QrCodeContent { get; private set; }

    public Guid? ContractId { get; init; }

    public List<Guid> InvoiceIds { get; init; } = [];

    public string? Description { get; init; }

    /// <summary>The payment recorded when the intent succeeded.</summary>
    public Guid? PaymentId { get; private set; }

    public string? FailureReason { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>After this the re-check expires an intent the provider still reports unpaid.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the re-check last asked the provider; null until it did.</summary>
    public DateTimeOffset? CheckedAt { get; set; }

    /// <summary>Optimistic concurrency token (PostgreSQL xmin).</summary>
    public uint Version { get; set; }

    public bool IsFinal => State is IntentState.Succeeded or IntentState.Failed or IntentState.Expired or IntentState.Cancelled;

    /// <summary>The provider accepted the intent and issued its QR code.</summary>
    public void Issue(string providerReference, string qrCodeContent, DateTimeOffset now)
    {
        if (State != IntentState.Created)
        {
            throw new InvalidOperationException($"A {State} intent was already issued.");
        }

        ProviderReference = providerReference;
        QrCodeContent = qrCodeContent;
        Move(IntentState.Pending, now);
    }

    /// <summary>
    /// The payer paid. Money that the provider took is recorded even when our clock already expired or a clerk
    /// cancelled the intent (the provider is the authority on the money); only a repeat, or an intent the provider
    /// itself reported failed, changes nothing.
    /// </summary>
    public bool Succeed(Guid paymentId, DateTimeOffset now)
    {
        if (State is IntentState.Succeeded or IntentState.Failed)
        {
            return false;
        }

        PaymentId = paymentId;
        FailureReason = null;
        Move(IntentState.Succeeded, now);
        return true;
    }

    /// <summary>The provider reported the payment failed (declined, closed by the payer).</summary>
    public bool Fail(string reason, DateTimeOffset now)
    {
        if (State is not (IntentState.Created or IntentState.Pending))
        {
            return false;
        }

        FailureReason = reason;
        Move(IntentState.Failed, now);
        return true;
    }

    /// <summary>Not paid in time.</summary>
    public bool Expire(DateTimeOffset now)
    {
        if (State is not (IntentState.Created or IntentState.Pending) || now < ExpiresAt)
        {
            return false;
        }

        FailureReason = "not paid before it expired";
        Move(IntentState.Expired, now);
        return true;
    }

    /// <summary>Staff withdrew the request before the payer paid.</summary>
    public bool Cancel(DateTimeOffset now)
    {
        if (State is not (IntentState.Created or IntentState.Pending))
        {
            return false;
        }

        Move(IntentState.Cancelled, now);
        return true;
    }

    private void Move(IntentState to, DateTimeOffset now)
    {
        State = to;
        UpdatedAt = now;
    }
}
