using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Money;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Application;

public sealed record QuoteRequest(Guid CustomerId, int TermMonths, IReadOnlyList<(string FeeItemCode, int Quantity)> Items,
    CustomerValueTier Tier, string? CouponCode, string CreatedBy);

/// <summary>Prices items at the list in effect and applies the discounts by the stacking rule.</summary>
public sealed class QuoteService(BillingDb db, CatalogService catalog, IOptions<CommerceOptions> options, TimeProvider clock)
{
    public async Task<Quote> CreateAsync(QuoteRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var lines = await PriceAsync(request.Items, request.TermMonths, "items", ct);

        Coupon? coupon = null;
        if (!string.IsNullOrEmpty(request.CouponCode))
        {
            coupon = await db.Set<Coupon>().AsNoTracking().SingleOrDefaultAsync(c => c.Code == request.CouponCode, ct);
            if (coupon is null || !coupon.UsableBy(request.CustomerId, now))
            {
                throw ValidationException.For("coupon_code", "is not a coupon this customer can use (unknown, expired, used or someone else's)");
            }
        }

        // Returning: the customer already signed a contract with us.
        var returning = await db.Set<Contract>().AnyAsync(c => c.CustomerId == request.CustomerId && c.State == ContractState.Signed, ct);
        var result = DiscountStacking.Apply(options.Value.Discounts.ToPolicy(),
            lines.Select(l => new PricedLine(l.FeeItemCode, l.Kind, l.Quantity, l.LineTotal)).ToList(),
            returning, request.Tier, coupon is null ? null : new CouponTerms(coupon.Code, coupon.PercentOff, coupon.AmountOff));

        var quote = new Quote
        {
            Id = Guid.CreateVersion7(),
            CustomerId = request.CustomerId,
            Currency = options.Value.Currency,
            TermMonths = request.TermMonths,
            Items = lines,
            Discounts = result.Applied.Select(a => new RecordedDiscount { Kind = a.Kind, Code = a.Code, Description = a.Description, Amount = a.Amount }).ToList(),
            CouponCode = coupon?.Code,
            Subtotal = result.Subtotal,
            DiscountTotal = result.DiscountTotal,
            Total = result.Total,
            CreatedBy = request.CreatedBy,
            CreatedAt = now,
            ValidUntil = now.AddDays(options.Value.QuoteValidityDays),
        };
        db.Set<Quote>().Add(quote);
        await db.SaveChangesAsync(ct);
        return quote;
    }

    public async Task<Quote> GetAsync(Guid id, CancellationToken ct) =>
        await db.Set<Quote>().AsSplitQuery().AsNoTracking().SingleOrDefaultAsync(q => q.Id == id, ct) ?? throw new NotFoundException("quote", id.ToString());

    /// <summary>Prices each item at the published list; an unknown or unpriced fee item is refused naming its field.</summary>
    public async Task<List<LineItem>> PriceAsync(IReadOnlyList<(string FeeItemCode, int Quantity)> items, int termMonths, string field, CancellationToken ct)
    {
        var published = await catalog.PublishedAsync(null, ct);
        var check = new Validator();
        var lines = new List<LineItem>();
        for (var i = 0; i < items.Count; i++)
        {
            var (code, quantity) = items[i];
            var price = published.Current?.PriceOf(code);
            check.Require(published.FeeItems.ContainsKey(code) && price is not null, $"{field}[{i}].fee_item_code", "is not a fee item of the published price list");
            if (published.FeeItems.TryGetValue(code, out var fee) && price is { } p)
            {
                var line = LineItem.Price(fee.Item, quantity, p, termMonths);
                check.Require(line.LineTotal <= MoneyValidation.MaxAmount, $"{field}[{i}].quantity", $"makes the line total more than {MoneyValidation.MaxAmount:0.####}");
                lines.Add(line);
            }
        }

        check.Require(lines.Sum(l => l.LineTotal) <= MoneyValidation.MaxAmount, field, $"total more than {MoneyValidation.MaxAmount:0.####}");
        check.ThrowIfInvalid();
        return lines;
    }
}
