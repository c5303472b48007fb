using System.Security.Claims;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.ServiceDefaults.Errors;
using Domain = Platform.Billing.Commerce.Domain;
using Proto = Platform.Contracts.Billing.V1;

namespace Platform.Billing.Commerce.Grpc;

/// <summary>Proto ⇄ domain mapping shared by the commerce endpoints.</summary>
internal static class CommerceMapping
{
    public const string Sales = $"{ServiceDefaults.Auth.Roles.SalesRep},{ServiceDefaults.Auth.Roles.SalesManager}";
    public const string Finance = $"{ServiceDefaults.Auth.Roles.FinanceClerk},{ServiceDefaults.Auth.Roles.FinanceApprover}";
    public static Timestamp? Ts(DateTimeOffset? at) => at is { } t ? Timestamp.FromDateTimeOffset(t) : null;

    public static Google.Type.Money Money(decimal amount, string currency) => amount.ToMoney(currency);

    /// <summary>A money field in the service currency, not negative (or positive when required).</summary>
    public static decimal Amount(this Validator check, Google.Type.Money? money, string field, string currency, bool positive)
    {
        if (money is null)
        {
            check.Require(false, field, "is required");
            return 0m;
        }

        var amount = money.ToDecimal();
        check.Require(money.CurrencyCode == currency, field, $"must be in {currency}")
            .Require(positive ? amount > 0 : amount >= 0, field, positive ? "must be positive" : "must not be negative")
            .RequireStorable(amount, field);
        return amount;
    }

    public static void RequestId(this Validator check, string requestId) => check.RequireLength(requestId, "request_id", 1, 128);

    public static IReadOnlyList<(string, int)> Items(this Validator check, IList<Proto.ItemRequest> items, string field)
    {
        check.Require(items.Count > 0, field, "must list at least one item");
        for (var i = 0; i < items.Count; i++)
        {
            check.Require(items[i].FeeItemCode.Length is > 0 and <= 64, $"{field}[{i}].fee_item_code", "is required")
                .Require(items[i].Quantity is > 0 and <= 100_000, $"{field}[{i}].quantity", "must be 1-100000")
                .Require(items.Take(i).All(x => x.FeeItemCode != items[i].FeeItemCode), $"{field}[{i}].fee_item_code", "is listed twice");
        }

        return items.Select(i => (i.FeeItemCode, i.Quantity)).ToList();
    }

    public static Proto.FeeKind ToProto(Domain.FeeKind kind) => (Proto.FeeKind)(int)kind;

    public static Proto.LineItem ToProto(Domain.LineItem i, string currency) => new()
    {
        FeeItemCode = i.FeeItemCode,
        Name = i.Name,
        Kind = ToProto(i.Kind),
        Quantity = i.Quantity,
        UnitPrice = Money(i.UnitPrice, currency),
        Months = i.Months,
        LineTotal = Money(i.LineTotal, currency),
    };

    public static Proto.AppliedDiscount ToProto(Domain.RecordedDiscount d, string currency) => new()
    {
        Kind = (Proto.DiscountKind)(int)d.Kind,
        Code = d.Code,
        Description = d.Description,
        Amount = Money(d.Amount, currency),
    };

    public static Proto.Signature ToProto(Domain.Signature s) => new()
    {
        Party = (Proto.SignatureParty)(int)s.Party,
        SignerName = s.SignerName,
        RecordedBy = s.RecordedBy,
        SignTime = Ts(s.SignedAt),
    };

    public static string Etag(uint version) => $"W/\"{version}\"";

    public static uint? ParseEtag(string etag) =>
        etag.StartsWith("W/\"", StringComparison.Ordinal) && etag.EndsWith('"') && uint.TryParse(etag[3..^1], out var v) ? v : null;
}
