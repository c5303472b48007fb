namespace Platform.Payment.Checks.Domain;

/// <summary>Where a customer stands for payment: one that may pay, or one that is history.</summary>
public enum CustomerStanding
{
    Active = 1,

    /// <summary>Merged into another customer (the survivor); payments go to the survivor.</summary>
    Merged = 2,

    /// <summary>Its personal data was erased on request: nothing new is recorded for it.</summary>
    Erased = 3,
}

/// <summary>
/// Payment's own view of one customer of the customer service, kept from its events (or from its answer, when a payer
/// was named before the registration event arrived): enough to decide whether the customer may pay, and who owns it.
/// </summary>
public sealed class KnownCustomer
{
    public Guid CustomerId { get; init; }

    public CustomerStanding Standing { get; set; }

    /// <summary>The survivor of a merge, when <see cref="Standing"/> is <see cref="CustomerStanding.Merged"/>.</summary>
    public Guid? MergedIntoId { get; set; }

    public Guid? OwnerId { get; set; }

    /// <summary>When the owner last changed (the event's time): an older owner change arriving late is ignored.</summary>
    public DateTimeOffset? OwnerChangedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
