namespace Platform.Customer.Domain;

/// <summary>
/// How much of a profile sales has filled in: the share of the fields that apply to the customer's kind (the
/// individual fields count only for individuals). Names are the API's field names.
/// </summary>
public static class ProfileCompleteness
{
    private static readonly (string Field, Func<CustomerProfile, bool> Filled)[] Common =
    [
        ("email", c => c.EmailCipher is not null),
        ("phone", c => c.PhoneCipher is not null),
        ("address", c => c.Address is not null),
        ("industry", c => c.Industry is not null),
        ("need_type", c => c.NeedType != NeedType.Unspecified),
        ("budget", c => c.BudgetMin is not null || c.BudgetMax is not null),
        ("decision_process_notes", c => c.DecisionProcessNotes is not null),
        ("acquisition_channel", c => c.AcquisitionChannel != AcquisitionChannel.Unspecified),
        ("owner_id", c => c.OwnerId is not null),
        ("tags", c => c.Tags.Count > 0),
    ];

    private static readonly (string Field, Func<CustomerProfile, bool> Filled)[] Individual =
    [
        ("identity_number", c => c.IdentityCipher is not null),
        ("occupation", c => c.Occupation is not null),
        ("birthday", c => c.Birthday is not null),
        ("gender", c => c.Gender != Gender.Unspecified),
        ("family_status", c => c.FamilyStatus != FamilyStatus.Unspecified),
    ];

    public static IReadOnlyList<string> MissingFields(CustomerProfile customer) =>
        FieldsFor(customer).Where(f => !f.Filled(customer)).Select(f => f.Field).ToList();

    /// <summary>Filled fields / applicable fields, in [0, 1].</summary>
    public static double Ratio(CustomerProfile customer)
    {
        var fields = FieldsFor(customer);
        return (double)fields.Count(f => f.Filled(customer)) / fields.Length;
    }

    /// <summary>Average ratio over the customers; 0 when there are none.</summary>
    public static double Average(IEnumerable<CustomerProfile> customers)
    {
        var (sum, count) = customers.Aggregate((Sum: 0d, Count: 0), (acc, c) => (acc.Sum + Ratio(c), acc.Count + 1));
        return count == 0 ? 0 : sum / count;
    }

    private static (string Field, Func<CustomerProfile, bool> Filled)[] FieldsFor(CustomerProfile customer) =>
        customer.Kind == CustomerKind.Individual ? [.. Common, .. Individual] : Common;
}
