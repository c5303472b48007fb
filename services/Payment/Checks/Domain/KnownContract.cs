namespace Platform.Payment.Checks.Domain;

/// <summary>
/// A billing contract a payment named, as billing answered about it: whose it is. A contract never changes hands (a
/// merge moves money, not signed contracts), so the answer is kept for good and the contract is asked about once.
/// </summary>
public sealed class KnownContract
{
    public Guid ContractId { get; init; }

    /// <summary>The customer who signed it.</summary>
    public Guid CustomerId { get; init; }

    /// <summary>Its number (CON-…), for refusals a person reads; empty for a contract not signed yet.</summary>
    public string Number { get; init; } = "";

    public DateTimeOffset RememberedAt { get; init; }
}
