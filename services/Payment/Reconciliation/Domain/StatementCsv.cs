using System.Globalization;
using System.Text;

namespace Platform.Payment.Reconciliation.Domain;

/// <summary>A statement line as read from the CSV.</summary>
public sealed record CsvLine(int LineNumber, DateOnly BookedOn, decimal Amount, string Reference, string Counterparty);

/// <summary>
/// Reads statement CSV: booked_date (YYYY-MM-DD), amount (invariant decimal), reference, counterparty; fields may be
/// quoted ("a, b" and "" for a quote); blank lines are skipped; a first line naming the columns is a header.
/// </summary>
public static class StatementCsv
{
    public static (IReadOnlyList<CsvLine> Lines, IReadOnlyList<string> Errors) Parse(string text)
    {
        var lines = new List<CsvLine>();
        var errors = new List<string>();
        var number = 0;
        var physical = 0;
        foreach (var raw in text.Split('\n'))
        {
            physical++;
            var row = raw.TrimEnd('\r');
            if (row.Trim().Length == 0)
            {
                continue;
            }

            var fields = Split(row);
            if (number == 0 && fields is { Count: > 0 } && fields[0].Trim().Equals("booked_date", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            number++;
            if (fields is null || fields.Count != 4)
            {
                errors.Add($"line {physical}: must have 4 fields: booked_date, amount, reference, counterparty");
                continue;
            }

            var ok = DateOnly.TryParseExact(fields[0].Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var booked);
            if (!ok)
            {
                errors.Add($"line {physical}: booked_date must be YYYY-MM-DD");
            }

            if (!decimal.TryParse(fields[1].Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
                || decimal.Round(amount, 4) != amount)
            {
                errors.Add($"line {physical}: amount must be a number with at most 4 decimals");
                ok = false;
            }

            var reference = fields[2].Trim();
            if (reference.Length is 0 or > 128)
            {
                errors.Add($"line {physical}: reference must be 1-128 characters");
                ok = false;
            }

            if (ok)
            {
                lines.Add(new CsvLine(number, booked, amount, reference, fields[3].Trim()));
            }
        }

        return (lines, errors);
    }

    /// <summary>The fields of one row; null when a quote is left open.</summary>
    private static List<string>? Split(string row)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < row.Length; i++)
        {
            var c = row[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < row.Length && row[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return quoted ? null : fields;
    }
}
