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

/// <summary>Validation of amounts sent by callers.</summary>
public static class MoneyValidation
{
    /// <summary>Money is kept in numeric(19,4): this many digits in all ...</summary>
    public const int Precision = 19;

    /// <summary>... of which this many decimals.</summary>
    public const int Scale = 4;

    /// <summary>The largest amount numeric(19,4) keeps (15 digits before the point); a larger one fails to save.</summary>
    public const decimal MaxAmount = 999_999_999_999_999.9999m;

    /// <summary>
    /// Records a violation naming <paramref name="field"/> when <paramref name="amount"/> has more than <see cref="Scale"/>
    /// decimals (the column would round it) or is beyond <see cref="MaxAmount"/> either way (the column cannot keep it).
    /// </summary>
    public static Platform.ServiceDefaults.Errors.Validator RequireStorable(this Platform.ServiceDefaults.Errors.Validator check, decimal amount, string field) =>
        check.Require(decimal.Round(amount, Scale) == amount, field, $"at most {Scale} decimals")
            .Require(Math.Abs(amount) <= MaxAmount, field, $"must be at most {MaxAmount:0.####}");

    /// <summary>The currency an amount is in: its code, or the default when the caller left it empty.</summary>
    public static string CurrencyOf(Google.Type.Money? money) =>
        string.IsNullOrEmpty(money?.CurrencyCode) ? MoneyExtensions.DefaultCurrency : money.CurrencyCode;

    /// <summary>
    /// A positive amount with at most 4 decimals whose currency is <paramref name="currency"/> (an empty currency code
    /// means that one); records a violation naming <paramref name="field"/> and answers 0 otherwise.
    /// </summary>
    public static decimal RequirePositiveAmount(this Platform.ServiceDefaults.Errors.Validator check, Google.Type.Money? money, string field, string currency)
    {
        if (money is null)
        {
            check.Require(false, field, "is required");
            return 0m;
        }

        var wellFormed = money.Nanos is > -1_000_000_000 and < 1_000_000_000 && (money.Units == 0 || money.Nanos == 0 || (money.Units > 0) == (money.Nanos > 0));
        check.Require(wellFormed, field, "units and nanos must have the same sign and nanos must be below 10^9");
        check.Require(money.CurrencyCode.Length == 0 || money.CurrencyCode == currency, field + ".currency_code", $"must be {currency}");
        if (!wellFormed)
        {
            return 0m;
        }

        var amount = money.ToDecimal();
        check.Require(amount > 0, field, "must be positive");
        check.RequireStorable(amount, field);
        return amount;
    }
}
