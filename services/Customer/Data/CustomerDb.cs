using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Platform.BuildingBlocks.Messaging;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Data;

namespace Platform.Customer.Data;

public sealed class CustomerDb(DbContextOptions<CustomerDb> options) : DbContext(options)
{
    public DbSet<CustomerProfile> Customers => Set<CustomerProfile>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CustomerProfile>(e =>
        {
            e.ToTable("customers");
            e.HasKey(c => c.Id);
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Stage).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.DisplayName).HasMaxLength(200);
            e.Property(c => c.EmailIndex).HasMaxLength(64);
            e.Property(c => c.PhoneIndex).HasMaxLength(64);
            e.HasIndex(c => c.EmailIndex).IsUnique().HasFilter("email_index IS NOT NULL");
            e.HasIndex(c => c.PhoneIndex).IsUnique().HasFilter("phone_index IS NOT NULL");
            e.Property(c => c.ValueTier).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.IntentGrade).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Industry).HasMaxLength(40);
            e.HasIndex(c => c.OwnerId);
            e.Property(c => c.Version).IsRowVersion();
        });
        modelBuilder.AddEngagement();
        modelBuilder.AddPlatformTables();
    }
}

/// <summary>For `dotnet ef migrations add`; never connects.</summary>
public sealed class CustomerDbDesignTimeFactory : IDesignTimeDbContextFactory<CustomerDb>
{
    public CustomerDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CustomerDb>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}
