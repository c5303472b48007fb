using Platform.Customer.Domain;

namespace Platform.Tests.Unit.Customer;

public sealed class ProfileCompletenessTests
{
    private static CustomerProfile Individual() => new() { Id = Guid.CreateVersion7(), Kind = CustomerKind.Individual, DisplayName = "Li Lei" };

    [Fact]
    public void An_individual_counts_fifteen_fields_and_an_organization_ten()
    {
        var person = Individual();
        person.EmailCipher = "k:x";
        person.Occupation = "teacher";
        person.Gender = Gender.Female;
        var organization = new CustomerProfile { Id = Guid.CreateVersion7(), Kind = CustomerKind.Organization, DisplayName = "Acme", EmailCipher = "k:x", Occupation = "ignored" };

        Assert.Equal(3 / 15d, ProfileCompleteness.Ratio(person), 10);
        Assert.Equal(1 / 10d, ProfileCompleteness.Ratio(organization), 10);
        Assert.DoesNotContain("occupation", ProfileCompleteness.MissingFields(person));
        Assert.Contains("birthday", ProfileCompleteness.MissingFields(person));
        Assert.DoesNotContain("birthday", ProfileCompleteness.MissingFields(organization));
    }

    [Fact]
    public void The_average_of_no_customers_is_zero() => Assert.Equal(0, ProfileCompleteness.Average([]));

    [Fact]
    public void Merging_fills_the_survivors_gaps_and_unites_tags_while_the_survivor_wins()
    {
        var now = DateTimeOffset.UnixEpoch;
        var survivor = Individual();
        survivor.Industry = "retail";
        survivor.Tags = ["a"];
        survivor.CustomAttributes["k"] = "survivor";
        var duplicate = Individual();
        duplicate.Industry = "finance";
        duplicate.Occupation = "nurse";
        duplicate.Tags = ["a", "b"];
        duplicate.CustomAttributes["k"] = "duplicate";
        duplicate.CustomAttributes["extra"] = "1";

        survivor.Absorb(duplicate, now);

        Assert.Equal("retail", survivor.Industry);
        Assert.Equal("nurse", survivor.Occupation);
        Assert.Equal(["a", "b"], survivor.Tags);
        Assert.Equal("survivor", survivor.CustomAttributes["k"]);
        Assert.Equal("1", survivor.CustomAttributes["extra"]);
        Assert.Equal(survivor.Id, duplicate.MergedIntoId);
    }

    [Fact]
    public void Erasure_clears_everything_personal_and_keeps_what_aggregates_need()
    {
        var customer = Individual();
        (customer.EmailCipher, customer.EmailIndex, customer.IdentityCipher) = ("k:e", "i", "k:id");
        customer.Birthday = new DateOnly(1990, 1, 1);
        customer.Industry = "education";
        customer.Tags = ["vip"];

        customer.Erase("request", DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain("Li Lei", customer.DisplayName, StringComparison.Ordinal);
        Assert.Null(customer.EmailCipher);
        Assert.Null(customer.EmailIndex);
        Assert.Null(customer.IdentityCipher);
        Assert.Null(customer.Birthday);
        Assert.Empty(customer.Tags);
        Assert.Equal("education", customer.Industry);
        Assert.Equal(LifecycleStage.Erased, customer.Stage);
    }
}
