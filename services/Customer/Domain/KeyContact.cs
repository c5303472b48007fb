namespace Platform.Customer.Domain;

/// <summary>Who at the customer a notice goes to: invoices and dunning to the payment owner, acceptances to the signer.</summary>
public enum ContactRole
{
    Unspecified = 0,
    DecisionMaker = 1,
    AcceptanceSigner = 2,
    PaymentOwner = 3,
    Other = 4,
}

/// <summary>A person at a customer with a role; phone and e-mail stored like the customer's (ciphertext with key id).</summary>
public sealed class KeyContact
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; set; }

    public ContactRole Role { get; set; }

    public required string Name { get; set; }

    public string? Title { get; set; }

    public string? PhoneCipher { get; set; }

    public string? EmailCipher { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Concurrency token (xmin); the contact's etag.</summary>
    public uint Version { get; set; }
}
