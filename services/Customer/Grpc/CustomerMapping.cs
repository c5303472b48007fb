using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.BuildingBlocks.Privacy;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Auth;
using Proto = Platform.Contracts.Customer.V1;

namespace Platform.Customer.Grpc;

/// <summary>Stored customers and contacts to API messages: PII decrypted, then masked unless the caller may read it.</summary>
public sealed class CustomerMapping(PiiProtector pii)
{
    public static bool CanReadPii(ServerCallContext context) => context.GetHttpContext().User.IsInRole(Roles.PiiReader);

    public static string Etag(uint version) => $"W/\"{version}\"";

    /// <summary>The version in an etag we issued, or null when it is not one.</summary>
    public static uint? ParseEtag(string etag) =>
        etag.StartsWith("W/\"", StringComparison.Ordinal) && etag.EndsWith('"') && uint.TryParse(etag[3..^1], out var version) ? version : null;

    public Proto.Customer ToProto(CustomerProfile c, bool reveal)
    {
        var proto = new Proto.Customer
        {
            CustomerId = c.Id.ToString(),
            Kind = (Proto.CustomerKind)(int)c.Kind,
            DisplayName = c.DisplayName,
            Email = Reveal(c.EmailCipher, reveal, PiiMask.Email),
            Phone = Reveal(c.PhoneCipher, reveal, PiiMask.Phone),
            IdentityNumber = Reveal(c.IdentityCipher, reveal, MaskIdentity),
            OwnerId = c.OwnerId?.ToString() ?? "",
            LifecycleStage = (Proto.LifecycleStage)(int)c.Stage,
            ValueTier = (Proto.ValueTier)(int)c.ValueTier,
            IntentGrade = (Proto.IntentGrade)(int)c.IntentGrade,
            Industry = c.Industry ?? "",
            NeedType = (Proto.NeedType)(int)c.NeedType,
            DecisionProcessNotes = c.DecisionProcessNotes ?? "",
            AcquisitionChannel = (Proto.AcquisitionChannel)(int)c.AcquisitionChannel,
            Tags = { c.Tags },
            CustomAttributes = { c.CustomAttributes },
            Occupation = c.Occupation ?? "",
            Gender = (Proto.Gender)(int)c.Gender,
            FamilyStatus = (Proto.FamilyStatus)(int)c.FamilyStatus,
            MergedIntoId = c.MergedIntoId?.ToString() ?? "",
            CreateTime = Timestamp.FromDateTimeOffset(c.CreatedAt),
            Etag = Etag(c.Version),
        };
        if (c.UpdatedAt is { } updated)
        {
            proto.UpdateTime = Timestamp.FromDateTimeOffset(updated);
        }

        if (c.BudgetMin is { } min)
        {
            proto.BudgetMin = min.ToMoney(c.BudgetCurrency ?? MoneyExtensions.DefaultCurrency);
        }

        if (c.BudgetMax is { } max)
        {
            proto.BudgetMax = max.ToMoney(c.BudgetCurrency ?? MoneyExtensions.DefaultCurrency);
        }

        if (c.Birthday is { } birthday)
        {
            proto.Birthday = new Google.Type.Date { Year = birthday.Year, Month = birthday.Month, Day = birthday.Day };
        }

        if (c.Address is { } a)
        {
            proto.Address = new Proto.Address
            {
                RegionCode = a.RegionCode,
                Province = a.Province,
                City = a.City,
                District = a.District,
                Street = a.Street,
                PostalCode = a.PostalCode,
            };
        }

        return proto;
    }

    public Proto.Contact ToProto(KeyContact c, bool reveal) => new()
    {
        ContactId = c.Id.ToString(),
        CustomerId = c.CustomerId.ToString(),
        Role = (Proto.ContactRole)(int)c.Role,
        Name = c.Name,
        Title = c.Title ?? "",
        Phone = Reveal(c.PhoneCipher, reveal, PiiMask.Phone),
        Email = Reveal(c.EmailCipher, reveal, PiiMask.Email),
        CreateTime = Timestamp.FromDateTimeOffset(c.CreatedAt),
        Etag = Etag(c.Version),
    };

    /// <summary>Identity numbers show only their last four characters.</summary>
    public static string MaskIdentity(string value) => value.Length <= 4 ? "****" : new string('*', value.Length - 4) + value[^4..];

    private string Reveal(string? cipher, bool reveal, Func<string, string> mask) =>
        cipher is null ? "" : reveal ? pii.Unprotect(cipher) : mask(pii.Unprotect(cipher));
}
