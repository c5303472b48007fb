using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Data;

namespace Platform.Customer.Data;

public sealed class CustomerDb(DbContextOptions<CustomerDb> options) : DbContext(options)
{
    public DbSet<CustomerProfile> Customers => Set<CustomerProfile>();

    public DbSet<KeyContact> Contacts => Set<KeyContact>();

    public DbSet<ConsentChange> Consents => Set<ConsentChange>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddProfileModel();
        modelBuilder.AddImportModel();
        modelBuilder.AddEngagement();
        modelBuilder.AddPlatformTables();
        modelBuilder.UseListComparers();
    }
}

/// <summary>For `dotnet ef migrations add`; never connects.</summary>
public sealed class CustomerDbDesignTimeFactory : IDesignTimeDbContextFactory<CustomerDb>
{
    public CustomerDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CustomerDb>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}
