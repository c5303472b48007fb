using Platform.Customer.Application;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit.Customer;

public sealed class ProfileRulesTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("\"Li, Lei\",\"say \"\"hi\"\"\",", new[] { "Li, Lei", "say \"hi\"", "" })]
    [InlineData("", new[] { "" })]
    public void Csv_lines_split_with_quotes(string line, string[] expected) => Assert.Equal(expected, CsvLine.Split(line));

    [Theory]
    [InlineData("\"open")]
    [InlineData("\"closed\"junk,b")]
    public void Broken_quoting_is_not_a_line(string line) => Assert.Null(CsvLine.Split(line));

    [Fact]
    public void Tags_are_lower_case_distinct_and_bounded()
    {
        var check = new Validator();
        Assert.Equal(["vip", "course"], ProfileRules.Tags(["VIP", " course ", "vip"], "tags", check));
        Assert.True(check.IsValid);

        ProfileRules.Tags(Enumerable.Range(0, 21).Select(i => "t" + i), "tags", check);
        ProfileRules.Tags(["a;b"], "tags", check);
        Assert.Equal(["tags", "tags"], Assert.Throws<ValidationException>(check.ThrowIfInvalid).Violations.Select(v => v.Field));
    }

    [Fact]
    public void Identity_numbers_are_compacted_upper_case_and_checked()
    {
        var check = new Validator();
        Assert.Equal("11010519491231002X", ProfileRules.IdentityNumber("110105 19491231 002x", "identity_number", check));
        Assert.Null(ProfileRules.IdentityNumber("", "identity_number", check));
        Assert.True(check.IsValid);
        ProfileRules.IdentityNumber("12", "identity_number", check);
        Assert.False(check.IsValid);
    }

    [Fact]
    public void A_budget_range_runs_upwards()
    {
        var check = new Validator();
        ProfileRules.BudgetRange(10, 5, "budget_min", check);
        Assert.Equal("budget_min", Assert.Throws<ValidationException>(check.ThrowIfInvalid).Violations.Single().Field);
    }

    [Fact]
    public void Page_tokens_round_trip_and_foreign_ones_are_refused()
    {
        var id = Guid.CreateVersion7();
        Assert.Equal(id, PageToken.Parse(PageToken.Of(id), "page_token"));
        Assert.Null(PageToken.Parse("", "page_token"));
        Assert.Equal("page_token", Assert.Throws<ValidationException>(() => PageToken.Parse(id.ToString(), "page_token")).Violations.Single().Field);
        Assert.Equal("page_token", Assert.Throws<ValidationException>(() => PageToken.Parse("%%%", "page_token")).Violations.Single().Field);
    }

    [Fact]
    public void Import_header_needs_known_columns_and_rows_name_the_column_at_fault()
    {
        var columns = ImportColumns.Parse("kind,display_name,email,acquisition_channel");
        var good = columns.ParseRow(1, "organization,Acme,info@acme.example,face_to_face");
        var badChannel = columns.ParseRow(2, "organization,Acme,info@acme.example,carrier_pigeon");

        Assert.Null(good.Invalid);
        Assert.Equal(AcquisitionChannel.FaceToFace, good.Channel);
        Assert.Equal("acquisition_channel", badChannel.Invalid!.Field);
        Assert.Equal("header.columns", Assert.Throws<ValidationException>(() => ImportColumns.Parse("kind,display_name")).Violations.Single().Field);
    }
}
