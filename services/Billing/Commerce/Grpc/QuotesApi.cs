using Platform.ServiceDefaults.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Commerce.Grpc.CommerceMapping;
using Domain = Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Grpc;

public sealed class QuotesApi(QuoteService quotes, IdempotentRequests<BillingDb> idempotent) : Quotes.QuotesBase
{
    [Authorize(Roles = Sales)]
    public override async Task<Quote> CreateQuote(CreateQuoteRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.Require(request.TermMonths is >= 1 and <= 120, "term_months", "must be 1-120")
            .Require(Enum.IsDefined(request.CustomerValueTier), "customer_value_tier", "is not a value tier")
            .RequireLength(request.CouponCode, "coupon_code", 0, 40);
        var items = check.Items(request.Items, "items");
        check.ThrowIfInvalid();
        var caller = context.CallerId();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await quotes.CreateAsync(
            new QuoteRequest(customerId, request.TermMonths, items, (Domain.CustomerValueTier)(int)request.CustomerValueTier,
                request.CouponCode.Length == 0 ? null : request.CouponCode, caller), ct)), context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Quote> GetQuote(GetQuoteRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.QuoteId, "quote_id");
        check.ThrowIfInvalid();
        return ToProto(await quotes.GetAsync(id, context.CancellationToken));
    }

    private static Quote ToProto(Domain.Quote q)
    {
        var answer = new Quote
        {
            QuoteId = q.Id.ToString(),
            CustomerId = q.CustomerId.ToString(),
            TermMonths = q.TermMonths,
            Subtotal = Money(q.Subtotal, q.Currency),
            DiscountTotal = Money(q.DiscountTotal, q.Currency),
            Total = Money(q.Total, q.Currency),
            CreateTime = Ts(q.CreatedAt),
            ValidUntil = Ts(q.ValidUntil),
            ContractId = q.ContractId?.ToString() ?? "",
        };
        answer.Items.AddRange(q.Items.Select(i => CommerceMapping.ToProto(i, q.Currency)));
        answer.Discounts.AddRange(q.Discounts.Select(d => CommerceMapping.ToProto(d, q.Currency)));
        return answer;
    }
}
