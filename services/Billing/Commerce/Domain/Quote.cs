namespace Platform.Billing.Commerce.Domain;

/// <summary>A priced line of a quote, contract or amendment.</summary>
public sealed class LineItem
{
    public required string FeeItemCode { get; init; }

    public required string Name { get; init; }

    public FeeKind Kind { get; init; }

    public int Quantity { get; init; }

    public decimal UnitPrice { get; init; }

    /// <summary>The term for a monthly fee, 1 otherwise.</summary>
    public int Months { get; init; }

    public decimal LineTotal { get; init; }

    public static LineItem Price(FeeItem item, int quantity, decimal unitPrice, int termMonths)
    {
        var months = item.Kind == FeeKind.RecurringMonthly ? termMonths : 1;
        return new LineItem
        {
            FeeItemCode = item.Code,
            Name = item.Name,
            Kind = item.Kind,
            Quantity = quantity,
            UnitPrice = unitPrice,
            Months = months,
            LineTotal = DiscountStacking.Cents(unitPrice * quantity * months),
        };
    }

    public LineItem Copy() => new()
    {
        FeeItemCode = FeeItemCode,
        Name = Name,
        Kind = Kind,
        Quantity = Quantity,
        UnitPrice = UnitPrice,
        Months = Months,
        LineTotal = LineTotal,
    };
}

/// <summary>A discount as recorded on a quote and its contract.</summary>
public sealed class RecordedDiscount
{
    public DiscountKind Kind { get; init; }

    public required string Code { get; init; }

    public required string Description { get; init; }

    public decimal Amount { get; init; }
}

/// <summary>Items priced at the published list with every discount applied; a contract is made from it.</summary>
public sealed class Quote
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public required string Currency { get; init; }

    public int TermMonths { get; init; }

    public List<LineItem> Items { get; init; } = [];

    public List<RecordedDiscount> Discounts { get; init; } = [];

    public string? CouponCode { get; init; }

    public decimal Subtotal { get; init; }

    public decimal DiscountTotal { get; init; }

    public decimal Total { get; init; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ValidUntil { get; init; }

    public Guid? ContractId { get; set; }

    public uint Version { get; set; }
}
