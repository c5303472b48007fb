namespace Platform.Billing.Domain;

/// <summary>A customer's prepaid account: one per customer, one currency.</summary>
public sealed class PrepaidAccount
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset OpenedAt { get; init; }
}
