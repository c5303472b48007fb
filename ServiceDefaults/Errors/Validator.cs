namespace Platform.ServiceDefaults.Errors;

/// <summary>Collects field violations and throws them together, so the caller sees every mistake at once.</summary>
public sealed class Validator
{
    private readonly List<FieldViolation> violations = [];

    public bool IsValid => violations.Count == 0;

    public Validator Require(bool condition, string field, string description)
    {
        if (!condition)
        {
            violations.Add(new FieldViolation(field, description));
        }

        return this;
    }

    public Validator RequireLength(string? value, string field, int min, int max) =>
        Require((value?.Length ?? 0) >= min && (value?.Length ?? 0) <= max, field,
            min > 0 ? $"must be {min}-{max} characters" : $"must be at most {max} characters");

    /// <summary>Parses a required UUID; records a violation and answers Guid.Empty when it is not one.</summary>
    public Guid RequireGuid(string? value, string field)
    {
        if (Guid.TryParse(value, out var id) && id != Guid.Empty)
        {
            return id;
        }

        violations.Add(new FieldViolation(field, "must be a UUID"));
        return Guid.Empty;
    }

    /// <summary>Parses an optional UUID (empty means none).</summary>
    public Guid? OptionalGuid(string? value, string field) =>
        string.IsNullOrEmpty(value) ? null : RequireGuid(value, field);

    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new ValidationException(violations.ToArray());
        }
    }
}
