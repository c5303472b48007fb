using Platform.Customer.Domain;

namespace Platform.Customer.Application;

/// <summary>
/// The validated edits of an update (the fields of the mask, normalized): plain fields as edits to apply, PII apart
/// because it is encrypted and indexed, and duplicates of phone and e-mail are checked, before it is stored.
/// </summary>
public sealed class ProfileChanges
{
    private readonly List<Action<CustomerProfile>> edits = [];

    public (bool Set, string? Value) Email { get; private set; }

    public (bool Set, string? Value) Phone { get; private set; }

    public (bool Set, string? Value) IdentityNumber { get; private set; }

    /// <summary>A new owner (sales rep), or none: raises CustomerOwnerChanged when it differs from the current one.</summary>
    public (bool Set, Guid? Value) Owner { get; private set; }

    /// <summary>API names of the individual-only fields the update sets (refused for organizations).</summary>
    public List<string> IndividualFields { get; } = [];

    public void Edit(Action<CustomerProfile> edit) => edits.Add(edit);

    public void SetEmail(string? normalized) => Email = (true, normalized);

    public void SetPhone(string? normalized) => Phone = (true, normalized);

    public void SetIdentityNumber(string? normalized) => IdentityNumber = (true, normalized);

    public void SetOwner(Guid? owner) => Owner = (true, owner);

    public void ApplyTo(CustomerProfile customer)
    {
        foreach (var edit in edits)
        {
            edit(customer);
        }
    }
}
