using Microsoft.EntityFrameworkCore;
using Platform.Payment.Checks.Domain;

namespace Platform.Payment.Checks.Data;

/// <summary>The customers payment knows of (payer checks, owners) and the contracts payments named.</summary>
public static class ChecksModel
{
    public const string CustomersTable = "known_customers";

    public const string ContractsTable = "known_contracts";

    public static ModelBuilder AddChecksTables(this ModelBuilder model)
    {
        model.Entity<KnownCustomer>(e =>
        {
            e.ToTable(CustomersTable);
            e.HasKey(c => c.CustomerId);
            e.Property(c => c.Standing).HasConversion<string>().HasMaxLength(16);
        });
        model.Entity<KnownContract>(e =>
        {
            e.ToTable(ContractsTable);
            e.HasKey(c => c.ContractId);
            e.Property(c => c.Number).HasMaxLength(32);
        });
        return model;
    }
}
