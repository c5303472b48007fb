using System.Net.Mail;
using System.Text.RegularExpressions;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Domain;

/// <summary>A registration, validated and normalized; field names in errors are the API's.</summary>
public sealed partial record NewCustomer(CustomerKind Kind, string DisplayName, string? Email, string? Phone, Guid? OwnerId)
{
    /// <summary>Validates and normalizes; violations join those already in <paramref name="check"/>.</summary>
    public static NewCustomer Create(int kind, string displayName, string email, string phone, string ownerId, Validator? check = null)
    {
        check ??= new Validator();
        check.Require(Enum.IsDefined((CustomerKind)kind), "kind", "must be INDIVIDUAL or ORGANIZATION");
        var name = displayName.Trim();
        check.RequireLength(name, "display_name", 1, 200);
        var normalizedEmail = NormalizeEmail(email);
        check.Require(email.Length == 0 || normalizedEmail is not null, "email", "must be an e-mail address");
        var normalizedPhone = NormalizePhone(phone);
        check.Require(phone.Length == 0 || normalizedPhone is not null, "phone", "must be a phone number in E.164 form, for example +8613800138000");
        check.Require(email.Length > 0 || phone.Length > 0, "email", "an e-mail or a phone is required");
        var owner = check.OptionalGuid(ownerId, "owner_id");
        check.ThrowIfInvalid();
        return new NewCustomer((CustomerKind)kind, name, normalizedEmail, normalizedPhone, owner);
    }

    /// <summary>Lower-cased, trimmed address, or null when it is not one.</summary>
    public static string? NormalizeEmail(string email)
    {
        var trimmed = email.Trim();
        if (trimmed.Length is 0 or > 254 || !MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed)
        {
            return null;
        }

        return trimmed.ToLowerInvariant();
    }

    /// <summary>E.164 (+ and 8-15 digits) with spaces and dashes removed, or null when it is not one.</summary>
    public static string? NormalizePhone(string phone)
    {
        var compact = phone.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return E164().IsMatch(compact) ? compact : null;
    }

    [GeneratedRegex(@"^\+[1-9]\d{7,14}$")]
    private static partial Regex E164();
}
