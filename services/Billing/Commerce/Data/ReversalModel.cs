using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Data;

/// <summary>The table of payment announcements taken back (<see cref="DepositReversal"/>).</summary>
public static class ReversalModel
{
    public static ModelBuilder AddDepositReversals(this ModelBuilder model)
    {
        model.Entity<DepositReversal>(e =>
        {
            e.ToTable("deposit_reversals");
            e.HasKey(r => new { r.PaymentId, r.Generation });
            e.HasIndex(r => r.CustomerId);
            e.Property(r => r.Amount).HasColumnType("numeric(19,4)");
            e.Property(r => r.Owed).HasColumnType("numeric(19,4)");
            e.Property(r => r.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(r => r.Reason).HasMaxLength(32);
            e.Property(r => r.Detail).HasMaxLength(500);
        });
        return model;
    }
}
