using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Payment.Exceptions.Data;
using Platform.Payment.Recording.Data;
using Platform.Payment.VirtualAccounts.Data;
using Platform.Payment.Collections.Data;
using Platform.Payment.Online.Data;
using Platform.Payment.Payouts.Data;
using Platform.Payment.Reconciliation.Data;
using Platform.Payment.Checks.Data;

namespace Platform.Payment.Data;

public sealed class PaymentDb(DbContextOptions<PaymentDb> options) : DbContext(options)
{
    public DbSet<Domain.Payment> Payments => Set<Domain.Payment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddPlatformTables();
        modelBuilder.AddAuditTrail();
        modelBuilder.AddPaymentTables();
        modelBuilder.AddRecordingTables();
        modelBuilder.AddVirtualAccountsTables();
        modelBuilder.AddExceptionsTables();
        modelBuilder.AddCollectionsTables();
        modelBuilder.AddOnlineTables();
        modelBuilder.AddReconciliationTables();
        modelBuilder.AddPayoutsTables();
        modelBuilder.AddChecksTables();
        modelBuilder.UseListComparers();
    }
}

/// <summary>For `dotnet ef migrations add`; never connects.</summary>
public sealed class PaymentDbDesignTimeFactory : IDesignTimeDbContextFactory<PaymentDb>
{
    public PaymentDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PaymentDb>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}
