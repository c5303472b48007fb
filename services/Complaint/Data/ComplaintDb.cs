using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Platform.BuildingBlocks.Messaging;

namespace Platform.Complaint.Data;

public sealed class ComplaintDb(DbContextOptions<ComplaintDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddPlatformTables();
}

/// <summary>For `dotnet ef migrations add`; never connects.</summary>
public sealed class ComplaintDbDesignTimeFactory : IDesignTimeDbContextFactory<ComplaintDb>
{
    public ComplaintDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ComplaintDb>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}
