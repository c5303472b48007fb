using Microsoft.EntityFrameworkCore;
using Platform.Payment.Checks.Domain;

namespace Platform.Payment.Checks.Data;

/// <summary>The customers payment knows of (payer checks, owners).</summary>
public static class ChecksModel
{
    public const string CustomersTable = "known_customers";

    public static ModelBuilder AddChecksTables(this ModelBuilder model)
    {
        model.Entity<KnownCustomer>(e =>
        {
            e.ToTable(CustomersTable);
            e.HasKey(c => c.CustomerId);
            e.Property(c => c.Standing).HasConversion<string>().HasMaxLength(16);
        });
        return model;
    }
}
