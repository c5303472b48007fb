namespace Platform.BuildingBlocks.Money;

/// <summary>Exact conversion between <c>decimal</c> and google.type.Money (units + nanos, same sign).</summary>
public static class MoneyExtensions
{
    public const string DefaultCurrency = "CNY";
    private const decimal NanosPerUnit = 1_000_000_000m;

    public static Google.Type.Money ToMoney(this decimal amount, string currency)
    {
        var units = decimal.Truncate(amount);
        return new Google.Type.Money
        {
            CurrencyCode = currency,
            Units = (long)units,
            Nanos = (int)((amount - units) * NanosPerUnit),
        };
    }

    public static decimal ToDecimal(this Google.Type.Money money) => money.Units + money.Nanos / NanosPerUnit;
}
