using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Domain.Controls;

public enum ConfirmationState
{
    Sent = 1,
    Confirmed = 2,
    Disputed = 3,
}

/// <summary>A balance confirmation letter (货款征询函): the balances as of a moment, confirmed or disputed by the customer once.</summary>
public sealed class BalanceConfirmation
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public DateTimeOffset AsOf { get; init; }

    public decimal PrepaidCash { get; init; }

    public decimal PromotionalCredit { get; init; }

    public decimal Held { get; init; }

    public decimal RefundsPayable { get; init; }

    public required string Currency { get; init; }

    public required string IssuedBy { get; init; }

    public ConfirmationState State { get; private set; } = ConfirmationState.Sent;

    public string? DisputeReason { get; private set; }

    public DateTimeOffset? RespondedAt { get; private set; }

    public void Respond(bool confirmed, string? reason, DateTimeOffset at)
    {
        if (State != ConfirmationState.Sent)
        {
            throw new PreconditionFailedException("ALREADY_ANSWERED", "confirmations/" + Id, $"The confirmation was already {State.ToString().ToLowerInvariant()}");
        }

        State = confirmed ? ConfirmationState.Confirmed : ConfirmationState.Disputed;
        DisputeReason = confirmed ? null : reason;
        RespondedAt = at;
    }
}
