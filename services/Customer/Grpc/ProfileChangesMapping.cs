using Platform.BuildingBlocks.Money;
using Platform.Customer.Application;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;
using Proto = Platform.Contracts.Customer.V1;

namespace Platform.Customer.Grpc;

/// <summary>An UpdateCustomerRequest's masked fields as validated <see cref="ProfileChanges"/>; violations name <c>customer.&lt;field&gt;</c>.</summary>
public static class ProfileChangesMapping
{
    public static readonly IReadOnlySet<string> WritablePaths = new HashSet<string>(StringComparer.Ordinal)
    {
        "display_name", "email", "phone", "identity_number", "address", "occupation", "birthday", "gender", "family_status",
        "industry", "need_type", "budget_min", "budget_max", "decision_process_notes", "acquisition_channel", "tags", "custom_attributes", "owner_id",
    };

    public static ProfileChanges From(Proto.Customer c, IEnumerable<string> paths, DateOnly today, Validator check)
    {
        var changes = new ProfileChanges();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var field = "customer." + path;
            switch (path)
            {
                case "display_name":
                    var name = c.DisplayName.Trim();
                    check.RequireLength(name, field, 1, 200);
                    changes.Edit(p => p.DisplayName = name);
                    break;
                case "email":
                    var email = NewCustomer.NormalizeEmail(c.Email);
                    check.Require(c.Email.Length == 0 || email is not null, field, "must be an e-mail address");
                    changes.SetEmail(email);
                    break;
                case "phone":
                    var phone = NewCustomer.NormalizePhone(c.Phone);
                    check.Require(c.Phone.Length == 0 || phone is not null, field, "must be a phone number in E.164 form, for example +8613800138000");
                    changes.SetPhone(phone);
                    break;
                case "identity_number":
                    changes.SetIdentityNumber(ProfileRules.IdentityNumber(c.IdentityNumber, field, check));
                    break;
                case "address":
                    var address = Address(c.Address, field, check);
                    changes.Edit(p => p.Address = address);
                    break;
                case "occupation":
                    var occupation = ProfileRules.Text(c.Occupation, field, 100, check);
                    changes.IndividualFields.Add(field);
                    changes.Edit(p => p.Occupation = occupation);
                    break;
                case "birthday":
                    var birthday = Birthday(c.Birthday, field, check);
                    ProfileRules.Birthday(birthday, today, field, check);
                    changes.IndividualFields.Add(field);
                    changes.Edit(p => p.Birthday = birthday);
                    break;
                case "gender":
                    var gender = Enum<Gender>((int)c.Gender, field, check);
                    changes.IndividualFields.Add(field);
                    changes.Edit(p => p.Gender = gender);
                    break;
                case "family_status":
                    var family = Enum<FamilyStatus>((int)c.FamilyStatus, field, check);
                    changes.IndividualFields.Add(field);
                    changes.Edit(p => p.FamilyStatus = family);
                    break;
                case "industry":
                    var industry = ProfileRules.Industry(c.Industry, field, check);
                    changes.Edit(p => p.Industry = industry);
                    break;
                case "need_type":
                    var need = Enum<NeedType>((int)c.NeedType, field, check);
                    changes.Edit(p => p.NeedType = need);
                    break;
                case "acquisition_channel":
                    var channel = Enum<AcquisitionChannel>((int)c.AcquisitionChannel, field, check);
                    changes.Edit(p => p.AcquisitionChannel = channel);
                    break;
                case "decision_process_notes":
                    var notes = ProfileRules.Text(c.DecisionProcessNotes, field, 2000, check);
                    changes.Edit(p => p.DecisionProcessNotes = notes);
                    break;
                case "tags":
                    var tags = ProfileRules.Tags(c.Tags, field, check);
                    changes.Edit(p => p.Tags = tags);
                    break;
                case "custom_attributes":
                    var attributes = ProfileRules.Attributes(c.CustomAttributes, field, check);
                    changes.Edit(p => p.CustomAttributes = attributes);
                    break;
                case "budget_min":
                    var (min, minCurrency) = Money(c.BudgetMin, field, check);
                    changes.Edit(p => (p.BudgetMin, p.BudgetCurrency) = (min, Currency(p, minCurrency, p.BudgetMax)));
                    break;
                case "budget_max":
                    var (max, maxCurrency) = Money(c.BudgetMax, field, check);
                    changes.Edit(p => (p.BudgetMax, p.BudgetCurrency) = (max, Currency(p, maxCurrency, p.BudgetMin)));
                    break;
                case "owner_id":
                    changes.SetOwner(check.OptionalGuid(c.OwnerId, field));
                    break;
                default:
                    check.Require(false, "update_mask", $"'{path}' is not a writable field; writable: {string.Join(", ", WritablePaths.Order(StringComparer.Ordinal))}");
                    break;
            }
        }

        if (c.BudgetMin is not null && c.BudgetMax is not null && paths.Contains("budget_min") && paths.Contains("budget_max"))
        {
            check.Require(c.BudgetMin.CurrencyCode == c.BudgetMax.CurrencyCode, "customer.budget_max", "must be in the currency of budget_min");
        }

        return changes;
    }

    /// <summary>The bound's currency, kept when the other bound is set (a range has one currency).</summary>
    private static string? Currency(CustomerProfile p, string? currency, decimal? otherBound) =>
        currency ?? (otherBound is null ? null : p.BudgetCurrency);

    private static (decimal? Amount, string? Currency) Money(Google.Type.Money? money, string field, Validator check)
    {
        if (money is null)
        {
            return (null, null);
        }

        var currency = money.CurrencyCode.Length == 0 ? MoneyExtensions.DefaultCurrency : money.CurrencyCode;
        check.Require(currency.Length == 3 && currency.All(char.IsAsciiLetterUpper), field, "currency_code must be an ISO 4217 code");
        check.Require(money.Nanos is > -1_000_000_000 and < 1_000_000_000 && (money.Units >= 0 && money.Nanos >= 0), field, "must be a non-negative amount");
        var amount = money.ToDecimal();
        check.RequireStorable(amount, field);
        return (amount, currency);
    }

    private static T Enum<T>(int value, string field, Validator check) where T : struct, System.Enum
    {
        check.Require(System.Enum.IsDefined(typeof(T), value), field, "is not a known value");
        return (T)(object)value;
    }

    private static DateOnly? Birthday(Google.Type.Date? date, string field, Validator check)
    {
        if (date is null || (date.Year == 0 && date.Month == 0 && date.Day == 0))
        {
            return null;
        }

        var valid = date.Year is >= 1 and <= 9999 && date.Month is >= 1 and <= 12 && date.Day >= 1 && date.Day <= DateTime.DaysInMonth(date.Year, date.Month);
        check.Require(valid, field, "must be a full date (year, month, day)");
        return valid ? new DateOnly(date.Year, date.Month, date.Day) : null;
    }

    private static PostalAddress? Address(Proto.Address? a, string field, Validator check)
    {
        if (a is null)
        {
            return null;
        }

        var parts = new[] { a.RegionCode, a.Province, a.City, a.District, a.Street, a.PostalCode }.Select(p => p.Trim()).ToArray();
        if (parts.All(p => p.Length == 0))
        {
            return null;
        }

        check.Require(parts[0].Length == 2 && parts[0].All(char.IsAsciiLetter), field + ".region_code", "must be an ISO 3166-1 alpha-2 code, for example CN");
        check.Require(parts[1..5].All(p => p.Length <= 200), field, "each part must be at most 200 characters");
        check.Require(parts[5].Length <= 20, field + ".postal_code", "must be at most 20 characters");
        return new PostalAddress(parts[0].ToUpperInvariant(), parts[1], parts[2], parts[3], parts[4], parts[5]);
    }
}
