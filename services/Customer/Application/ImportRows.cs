using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

public enum ImportOutcome
{
    Created = 1,
    Duplicate = 2,
    Invalid = 3,
}

/// <summary>What happened to one data row; <c>Field</c> is the column at fault (invalid) or that matched (duplicate).</summary>
public sealed record ImportResult(int Row, ImportOutcome Outcome, Guid? CustomerId = null, string? Field = null, string? Description = null);

/// <summary>A data row parsed into a registration and the profile fields the import takes, or the reason it is invalid.</summary>
public sealed record ImportRow(int Row, NewCustomer? Customer, string? Industry, NeedType NeedType, AcquisitionChannel Channel, List<string> Tags,
    ImportResult? Invalid);

/// <summary>The columns of an import file, from its header line.</summary>
public sealed class ImportColumns
{
    public static readonly IReadOnlyList<string> Known =
        ["kind", "display_name", "email", "phone", "owner_id", "industry", "need_type", "acquisition_channel", "tags"];

    private readonly Dictionary<string, int> positions;

    private ImportColumns(Dictionary<string, int> positions) => this.positions = positions;

    public int Count => positions.Count;

    /// <summary>Parses the header; INVALID_ARGUMENT naming <c>header.columns</c> when a column is unknown, repeated or missing.</summary>
    public static ImportColumns Parse(string header)
    {
        var names = CsvLine.Split(header.TrimStart('\uFEFF'))?.Select(n => n.Trim().ToLowerInvariant()).ToList();
        var check = new Validator();
        check.Require(names is not null, "header.columns", "is not a CSV line");
        names ??= [];
        var unknown = names.Where(n => !Known.Contains(n)).ToList();
        check.Require(unknown.Count == 0, "header.columns", "unknown column(s) " + string.Join(", ", unknown) + "; known: " + string.Join(", ", Known));
        check.Require(names.Distinct().Count() == names.Count, "header.columns", "a column is repeated");
        check.Require(names.Contains("kind") && names.Contains("display_name") && (names.Contains("email") || names.Contains("phone")),
            "header.columns", "needs kind, display_name and email or phone");
        check.ThrowIfInvalid();
        return new ImportColumns(names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i));
    }

    /// <summary>Parses one data line; an invalid row names the first column at fault.</summary>
    public ImportRow ParseRow(int row, string line)
    {
        var fields = CsvLine.Split(line);
        if (fields is null || fields.Count != positions.Count)
        {
            return Invalid(row, "line", $"must be a CSV line with {positions.Count} fields");
        }

        string Get(string column) => positions.TryGetValue(column, out var i) ? fields[i].Trim() : "";

        var check = new Validator();
        var kind = Get("kind").ToLowerInvariant() switch { "individual" => 1, "organization" => 2, _ => 0 };
        var industry = ProfileRules.Industry(Get("industry"), "industry", check);
        var needType = ParseEnum<NeedType>(Get("need_type"), "need_type", check);
        var channel = ParseEnum<AcquisitionChannel>(Get("acquisition_channel"), "acquisition_channel", check);
        var tagText = Get("tags");
        var tags = ProfileRules.Tags(tagText.Length == 0 ? [] : tagText.Split(';'), "tags", check);
        try
        {
            var customer = NewCustomer.Create(kind, Get("display_name"), Get("email"), Get("phone"), Get("owner_id"), check);
            return new ImportRow(row, customer, industry, needType, channel, tags, null);
        }
        catch (ValidationException e)
        {
            return Invalid(row, e.Violations[0].Field, e.Violations[0].Description);
        }
    }

    private static ImportRow Invalid(int row, string field, string description) =>
        new(row, null, null, NeedType.Unspecified, AcquisitionChannel.Unspecified, [], new ImportResult(row, ImportOutcome.Invalid, null, field, description));

    /// <summary>snake_case names of the enum members (face_to_face), empty for Unspecified.</summary>
    private static T ParseEnum<T>(string value, string field, Validator check) where T : struct, Enum
    {
        if (value.Length == 0)
        {
            return default;
        }

        var match = Enum.GetValues<T>().Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0)
            .FirstOrDefault(v => string.Equals(SnakeCase(v.ToString()), value, StringComparison.OrdinalIgnoreCase));
        check.Require(!match.Equals(default(T)), field, "must be one of " + string.Join(", ",
            Enum.GetValues<T>().Skip(1).Select(v => SnakeCase(v.ToString()))));
        return match;
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
