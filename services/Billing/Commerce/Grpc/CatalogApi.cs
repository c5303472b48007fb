using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Commerce.Grpc.CommerceMapping;
using Domain = Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Grpc;

public sealed class CatalogApi(CatalogService catalog, IdempotentRequests<BillingDb> idempotent, IOptions<CommerceOptions> options)
    : Catalog.CatalogBase
{
    private string Currency => options.Value.Currency;

    [Authorize(Roles = Roles.Administrator)]
    public override async Task<Product> CreateProduct(CreateProductRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        check.RequireLength(request.Code, "code", 1, 64).RequireLength(request.Name, "name", 1, 200)
            .RequireLength(request.Description, "description", 0, 2000)
            .Require(request.FeeItems.Count > 0, "fee_items", "must list at least one fee item");
        for (var i = 0; i < request.FeeItems.Count; i++)
        {
            var f = request.FeeItems[i];
            check.RequireLength(f.Code, $"fee_items[{i}].code", 1, 64).RequireLength(f.Name, $"fee_items[{i}].name", 1, 200)
                .Require(f.Kind != FeeKind.Unspecified && Enum.IsDefined(f.Kind), $"fee_items[{i}].kind", "must be one_time, recurring_monthly or usage")
                .Require(request.FeeItems.Take(i).All(x => x.Code != f.Code), $"fee_items[{i}].code", "is listed twice");
        }

        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await catalog.CreateProductAsync(new Domain.Product
        {
            Id = Guid.CreateVersion7(),
            Code = request.Code,
            Name = request.Name,
            Description = request.Description,
            FeeItems = request.FeeItems.Select(f => new Domain.FeeItem { Code = f.Code, Name = f.Name, Kind = (Domain.FeeKind)(int)f.Kind }).ToList(),
        }, ct)), context.CancellationToken);
    }

    [Authorize(Roles = Roles.Administrator)]
    public override async Task<PriceList> SchedulePriceChange(SchedulePriceChangeRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var effective = check.RequireTime(request.EffectiveTime, "effective_time");
        check.Require(request.Entries.Count > 0, "entries", "must list at least one price");
        var entries = new List<(string, decimal)>();
        for (var i = 0; i < request.Entries.Count; i++)
        {
            var e = request.Entries[i];
            check.RequireLength(e.FeeItemCode, $"entries[{i}].fee_item_code", 1, 64)
                .Require(request.Entries.Take(i).All(x => x.FeeItemCode != e.FeeItemCode), $"entries[{i}].fee_item_code", "is listed twice");
            entries.Add((e.FeeItemCode, check.Amount(e.UnitPrice, $"entries[{i}].unit_price", Currency, positive: false)));
        }

        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            var scheduled = await catalog.ScheduleAsync(new PriceChange(effective!.Value, entries), ct);
            var answer = ToProto(scheduled.List, await catalog.FeeItemsAsync(ct));
            answer.AffectedContractCount = scheduled.AffectedContracts;
            return answer;
        }, context.CancellationToken);
    }

    [AllowAnonymous]
    public override async Task<PublishedPriceList> GetPublishedPriceList(GetPublishedPriceListRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var asOf = check.OptionalTime(request.AsOf, "as_of");
        check.ThrowIfInvalid();
        var published = await catalog.PublishedAsync(asOf, context.CancellationToken);
        var answer = new PublishedPriceList { Current = published.Current is null ? null : ToProto(published.Current, published.FeeItems) };
        answer.Upcoming.AddRange(published.Upcoming.Select(l => ToProto(l, published.FeeItems)));
        return answer;
    }

    [Authorize(Roles = $"{Roles.Administrator},{Roles.Service}")]
    public override async Task<Coupon> CreateCoupon(CreateCouponRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        check.RequireLength(request.Code, "code", 3, 40);
        var customerId = check.OptionalGuid(request.CustomerId, "customer_id");
        var amountOff = request.AmountOff is null ? 0m : check.Amount(request.AmountOff, "amount_off", Currency, positive: true);
        check.Require((request.PercentOff > 0) != (request.AmountOff is not null), "percent_off", "give exactly one of percent_off and amount_off")
            .Require(request.PercentOff is >= 0 and <= 100, "percent_off", "must be 1-100");
        var validUntil = check.RequireTime(request.ValidUntil, "valid_until");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await catalog.CreateCouponAsync(new Domain.Coupon
        {
            Id = Guid.CreateVersion7(),
            Code = request.Code,
            CustomerId = customerId,
            PercentOff = request.PercentOff,
            AmountOff = amountOff,
            ValidUntil = validUntil!.Value,
        }, ct)), context.CancellationToken);
    }

    private static Product ToProto(Domain.Product p)
    {
        var answer = new Product { ProductId = p.Id.ToString(), Code = p.Code, Name = p.Name, Description = p.Description };
        answer.FeeItems.AddRange(p.FeeItems.Select(f => new FeeItem { Code = f.Code, Name = f.Name, Kind = CommerceMapping.ToProto(f.Kind) }));
        return answer;
    }

    private Coupon ToProto(Domain.Coupon c) => new()
    {
        Code = c.Code,
        CustomerId = c.CustomerId?.ToString() ?? "",
        PercentOff = c.PercentOff,
        AmountOff = c.AmountOff > 0 ? Money(c.AmountOff, Currency) : null,
        ValidUntil = Ts(c.ValidUntil),
        RedeemedByContractId = c.RedeemedByContractId?.ToString() ?? "",
    };

    private static PriceList ToProto(Domain.PriceList list, IReadOnlyDictionary<string, (Domain.Product Product, Domain.FeeItem Item)> items)
    {
        var answer = new PriceList
        {
            PriceListId = list.Id.ToString(),
            Version = list.Version,
            EffectiveTime = Ts(list.EffectiveFrom),
            ScheduleTime = Ts(list.ScheduledAt),
        };
        answer.Entries.AddRange(list.Entries.OrderBy(e => e.FeeItemCode, StringComparer.Ordinal).Select(e => new PricedFeeItem
        {
            ProductCode = items.TryGetValue(e.FeeItemCode, out var x) ? x.Product.Code : "",
            FeeItemCode = e.FeeItemCode,
            Name = items.TryGetValue(e.FeeItemCode, out var y) ? y.Item.Name : "",
            Kind = items.TryGetValue(e.FeeItemCode, out var z) ? CommerceMapping.ToProto(z.Item.Kind) : FeeKind.Unspecified,
            UnitPrice = Money(e.UnitPrice, list.Currency),
        }));
        return answer;
    }
}
