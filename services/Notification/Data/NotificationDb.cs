using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Platform.BuildingBlocks.Messaging;

namespace Platform.Notification.Data;

public sealed class NotificationDb(DbContextOptions<NotificationDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddPlatformTables();
}

/// <summary>For `dotnet ef migrations add`; never connects.</summary>
public sealed class NotificationDbDesignTimeFactory : IDesignTimeDbContextFactory<NotificationDb>
{
    public NotificationDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NotificationDb>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}
