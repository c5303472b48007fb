using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Platform.Billing.Commerce.Consumption.Data;
using Platform.Billing.Commerce.Data;
using Platform.Billing.Domain;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Messaging;

namespace Platform.Billing.Data;

public sealed class BillingDb(DbContextOptions<BillingDb> options) : DbContext(options)
{
    public DbSet<PrepaidAccount> PrepaidAccounts => Set<PrepaidAccount>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PrepaidAccount>(e =>
        {
            e.ToTable("prepaid_accounts");
            e.HasKey(a => a.Id);
            e.HasIndex(a => a.CustomerId).IsUnique();
            e.Property(a => a.Currency).HasMaxLength(3).IsFixedLength();
            foreach (var balance in new[]
                     {
                         nameof(PrepaidAccount.CreditLimit), nameof(PrepaidAccount.PaymentsClearing), nameof(PrepaidAccount.PrepaidCash),
                         nameof(PrepaidAccount.PromotionalCredit), nameof(PrepaidAccount.Held), nameof(PrepaidAccount.Receivable),
                         nameof(PrepaidAccount.Revenue), nameof(PrepaidAccount.RefundsPayable), nameof(PrepaidAccount.RiskReserve),
                         nameof(PrepaidAccount.Promotions),
                     })
            {
                e.Property<decimal>(balance).HasPrecision(19, 4);
            }
        });
        modelBuilder.AddLedger();
        modelBuilder.AddControls();
        modelBuilder.AddCommerce();
        modelBuilder.AddDepositReversals();
        modelBuilder.AddConsumption();
        modelBuilder.AddMerges();
        modelBuilder.AddPlatformTables();
        modelBuilder.UseListComparers();
    }
}

/// <summary>For `dotnet ef migrations add`; never connects.</summary>
public sealed class BillingDbDesignTimeFactory : IDesignTimeDbContextFactory<BillingDb>
{
    public BillingDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BillingDb>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}
