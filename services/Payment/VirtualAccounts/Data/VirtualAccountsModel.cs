using Microsoft.EntityFrameworkCore;
using Platform.Payment.VirtualAccounts.Domain;

namespace Platform.Payment.VirtualAccounts.Data;

/// <summary>The customers' dedicated virtual accounts and the serial their numbers come from.</summary>
public static class VirtualAccountsModel
{
    /// <summary>A database sequence: numbers stay unique across replicas without a lock.</summary>
    public const string SerialSequence = "virtual_account_serials";

    public static ModelBuilder AddVirtualAccountsTables(this ModelBuilder model)
    {
        model.HasSequence<long>(SerialSequence).StartsAt(1);
        model.Entity<VirtualAccount>(e =>
        {
            e.ToTable("virtual_accounts");
            e.HasKey(a => a.CustomerId);
            e.Property(a => a.Number).HasMaxLength(34);
            e.HasIndex(a => a.Number).IsUnique();
        });
        return model;
    }
}
