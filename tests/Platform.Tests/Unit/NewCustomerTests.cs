using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit;

public sealed class NewCustomerTests
{
    [Fact]
    public void Registration_is_normalized()
    {
        var c = NewCustomer.Create(1, "  Li Lei ", " Li.Lei@Example.COM ", "+86 138-0013-8000", "");

        Assert.Equal(CustomerKind.Individual, c.Kind);
        Assert.Equal("Li Lei", c.DisplayName);
        Assert.Equal("li.lei@example.com", c.Email);
        Assert.Equal("+8613800138000", c.Phone);
        Assert.Null(c.OwnerId);
    }

    [Theory]
    [InlineData(0, "Li Lei", "a@example.com", "", "", "kind")]
    [InlineData(1, "  ", "a@example.com", "", "", "display_name")]
    [InlineData(1, "Li Lei", "not-an-address", "", "", "email")]
    [InlineData(1, "Li Lei", "", "13800138000", "", "phone")]
    [InlineData(1, "Li Lei", "", "", "", "email")]
    [InlineData(2, "ACME", "a@example.com", "", "nope", "owner_id")]
    public void Invalid_registration_names_the_field(int kind, string name, string email, string phone, string owner, string field)
    {
        var e = Assert.Throws<ValidationException>(() => NewCustomer.Create(kind, name, email, phone, owner));

        Assert.Contains(e.Violations, v => v.Field == field);
    }

    [Fact]
    public void Every_mistake_is_reported_at_once()
    {
        var e = Assert.Throws<ValidationException>(() => NewCustomer.Create(9, "", "x", "y", "z"));

        Assert.Equal(["kind", "display_name", "email", "phone", "owner_id"], e.Violations.Select(v => v.Field).Distinct());
    }

    [Fact]
    public void Display_name_longer_than_200_characters_is_refused()
    {
        var e = Assert.Throws<ValidationException>(() => NewCustomer.Create(2, new string('x', 201), "a@example.com", "", ""));

        Assert.Equal("display_name", Assert.Single(e.Violations).Field);
    }
}
