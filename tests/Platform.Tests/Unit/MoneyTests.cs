using Platform.BuildingBlocks.Money;

namespace Platform.Tests.Unit;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("0", 0, 0)]
    [InlineData("12.3456", 12, 345_600_000)]
    [InlineData("-1.75", -1, -750_000_000)]
    [InlineData("999999999999.9999", 999_999_999_999, 999_900_000)]
    public void Decimal_and_google_money_convert_exactly(string amount, long units, int nanos)
    {
        var value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        var money = value.ToMoney("CNY");

        Assert.Equal(units, money.Units);
        Assert.Equal(nanos, money.Nanos);
        Assert.Equal("CNY", money.CurrencyCode);
        Assert.Equal(value, money.ToDecimal());
    }
}
