namespace Platform.Payment.Payouts.Domain;

/// <summary>How the refund goes back to the customer.</summary>
public enum PayoutChannel
{
    /// <summary>Refunded through the wallet the customer paid with (the original payment's provider).</summary>
    WalletRefund,

    /// <summary>A bank transfer to the customer.</summary>
    BankTransfer,
}

public enum PayoutState
{
    /// <summary>Stored; not yet sent to the provider (or sent, with no answer kept).</summary>
    Requested,

    /// <summary>The provider accepted it; the money has not moved yet.</summary>
    Submitted,

    Paid,
    Failed,
}

/// <summary>
/// The payout of one approved refund. Keyed by the refund id: however often billing's RefundApproved arrives, there
/// is one payout, it is sent to the provider under the refund id (so a retry is the same transfer), and it ends paid
/// or failed once.
/// </summary>
public sealed class RefundPayout
{
    public Guid RefundId { get; init; }

    public Guid CustomerId { get; init; }

    public decimal Amount { get; init; }

    public required string Currency { get; init; }

    /// <summary>The payment the refund goes back through, when billing named one.</summary>
    public Guid? PaymentId { get; init; }

    public PayoutChannel Channel { get; init; }

    /// <summary>The provider's name (a wallet provider, or the payout provider).</summary>
    public required string Provider { get; init; }

    /// <summary>For a wallet refund: the original payment's provider reference.</summary>
    public string? PaymentReference { get; init; }

    public PayoutState State { get; private set; }

    /// <summary>The provider's reference of the refund or transfer, once it gave one.</summary>
    public string? ProviderReference { get; private set; }

    public string? FailureReason { get; private set; }

    /// <summary>Calls to the provider that got no answer (unreachable, timed out).</summary>
    public int Attempts { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// When the payout job sends it or asks about it next: at once when requested, later after each answer (or failure to
    /// get one) that leaves it in flight, so payouts waiting on the provider take turns with new ones.
    /// </summary>
    public DateTimeOffset NextCheckAt { get; set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; set; }

    public bool IsFinal => State is PayoutState.Paid or PayoutState.Failed;

    public void Submitted(string? providerReference, DateTimeOffset now)
    {
        Require();
        ProviderReference = providerReference ?? ProviderReference;
        State = PayoutState.Submitted;
        UpdatedAt = now;
    }

    public void Paid(string? providerReference, DateTimeOffset now)
    {
        Require();
        ProviderReference = providerReference ?? ProviderReference;
        State = PayoutState.Paid;
        UpdatedAt = now;
    }

    public void Failed(string reason, DateTimeOffset now)
    {
        Require();
        FailureReason = reason;
        State = PayoutState.Failed;
        UpdatedAt = now;
    }

    /// <summary>The provider did not answer (or could not be asked); the payout stays in flight and is asked about again.</summary>
    public void Unanswered(string error, DateTimeOffset now)
    {
        Require();
        Attempts++;
        LastError = error.Length > 500 ? error[..500] : error;
        UpdatedAt = now;
    }

    private void Require()
    {
        if (IsFinal)
        {
            throw new InvalidOperationException($"The payout of refund {RefundId} is already {State}.");
        }
    }
}
