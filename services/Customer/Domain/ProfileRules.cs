using System.Text.RegularExpressions;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Domain;

/// <summary>Validation and normalization of profile fields; <c>field</c> is the API name the violation carries.</summary>
public static partial class ProfileRules
{
    public const int MaxTags = 20;
    public const int MaxAttributes = 50;

    public static readonly IReadOnlySet<string> Industries = new HashSet<string>(StringComparer.Ordinal)
    {
        "manufacturing", "services", "finance", "education", "retail", "healthcare", "technology", "construction",
        "logistics", "agriculture", "government", "other",
    };

    /// <summary>Lower-case industry code, null for empty; a violation when it is not one of <see cref="Industries"/>.</summary>
    public static string? Industry(string value, string field, Validator check)
    {
        var code = value.Trim().ToLowerInvariant();
        if (code.Length == 0)
        {
            return null;
        }

        check.Require(Industries.Contains(code), field, "must be one of " + string.Join(", ", Industries.Order(StringComparer.Ordinal)));
        return code;
    }

    /// <summary>Distinct lower-case tags in the order given.</summary>
    public static List<string> Tags(IEnumerable<string> values, string field, Validator check)
    {
        var tags = values.Select(t => t.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        check.Require(tags.Count <= MaxTags, field, $"at most {MaxTags} tags");
        check.Require(tags.All(t => t.Length is >= 1 and <= 40 && !t.Contains(';', StringComparison.Ordinal)), field,
            "each tag must be 1-40 characters without ';'");
        return tags;
    }

    public static Dictionary<string, string> Attributes(IReadOnlyDictionary<string, string> values, string field, Validator check)
    {
        check.Require(values.Count <= MaxAttributes, field, $"at most {MaxAttributes} attributes");
        check.Require(values.All(a => a.Key.Trim().Length is >= 1 and <= 64 && a.Key == a.Key.Trim()), field, "each key must be 1-64 characters without surrounding spaces");
        check.Require(values.All(a => a.Value.Length <= 500), field, "each value must be at most 500 characters");
        return values.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
    }

    /// <summary>Upper-case identity document number without spaces, null for empty.</summary>
    public static string? IdentityNumber(string value, string field, Validator check)
    {
        var compact = value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length == 0)
        {
            return null;
        }

        check.Require(IdentityPattern().IsMatch(compact), field, "must be 5-32 letters, digits or '-'");
        return compact;
    }

    /// <summary>Trimmed text, null when empty; a violation when longer than <paramref name="max"/>.</summary>
    public static string? Text(string value, string field, int max, Validator check)
    {
        var trimmed = value.Trim();
        check.Require(trimmed.Length <= max, field, $"must be at most {max} characters");
        return trimmed.Length == 0 ? null : trimmed;
    }

    public static void BudgetRange(decimal? min, decimal? max, string field, Validator check)
    {
        check.Require(min is null or >= 0 && max is null or >= 0, field, "must not be negative");
        check.Require(min is null || max is null || min <= max, field, "budget_min must not exceed budget_max");
    }

    public static void Birthday(DateOnly? birthday, DateOnly today, string field, Validator check) =>
        check.Require(birthday is null || (birthday <= today && birthday.Value.Year >= 1900), field, "must be a past date after 1900");

    [GeneratedRegex("^[0-9A-Z-]{5,32}$")]
    private static partial Regex IdentityPattern();
}
