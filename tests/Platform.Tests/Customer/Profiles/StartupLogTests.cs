namespace Platform.Tests.Customer.Profiles;

/// <summary>What SREs read when a service starts on a fresh database.</summary>
[Collection(ProfileCollection.Name)]
public sealed class StartupLogTests(ProfileService service)
{
    [Fact]
    public void A_fresh_database_is_migrated_without_a_false_error_in_the_log()
    {
        // The fixture's service started on a database created for it, so it applied every migration from none.
        Assert.Contains(service.Logs.Lines, l => l.StartsWith("Information Platform.BuildingBlocks.Data.DatabaseMigrator", StringComparison.Ordinal) &&
            l.Contains("migration(s) applied", StringComparison.Ordinal) && !l.Contains(": 0 migration(s)", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Logs.Lines, l => l.StartsWith("Error Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }
}
