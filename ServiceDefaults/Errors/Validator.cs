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

    /// <summary>
    /// Reads an optional timestamp (null when absent); records a violation and answers null when it is not a valid
    /// one (seconds outside 0001-01-01..9999-12-31 or nanos outside 0..999999999), which .NET could not even hold.
    /// </summary>
    public DateTimeOffset? OptionalTime(Google.Protobuf.WellKnownTypes.Timestamp? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        var wellFormed = value.Seconds is >= -62135596800 and <= 253402300799 && value.Nanos is >= 0 and < 1_000_000_000;
        Require(wellFormed, field, "is not a valid timestamp");
        return wellFormed ? value.ToDateTimeOffset() : null;
    }

    /// <summary>Reads a required timestamp: records "is required" when absent, as <see cref="OptionalTime"/> when not valid.</summary>
    public DateTimeOffset? RequireTime(Google.Protobuf.WellKnownTypes.Timestamp? value, string field)
    {
        Require(value is not null, field, "is required");
        return OptionalTime(value, field);
    }

    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new ValidationException(violations.ToArray());
        }
    }
}
