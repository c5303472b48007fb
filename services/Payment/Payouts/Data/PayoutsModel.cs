using Microsoft.EntityFrameworkCore;
using Platform.Payment.Payouts.Domain;

namespace Platform.Payment.Payouts.Data;

/// <summary>Refund payouts, one per refund id.</summary>
public static class PayoutsModel
{
    public static ModelBuilder AddPayoutsTables(this ModelBuilder model)
    {
        model.Entity<RefundPayout>(e =>
        {
            e.ToTable("refund_payouts");
            e.HasKey(p => p.RefundId);
            e.Property(p => p.Amount).HasPrecision(19, 4);
            e.Property(p => p.Currency).HasMaxLength(3);
            e.Property(p => p.Channel).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.State).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Provider).HasMaxLength(32);
            e.Property(p => p.PaymentReference).HasMaxLength(128);
            e.Property(p => p.ProviderReference).HasMaxLength(128);
            e.Property(p => p.FailureReason).HasMaxLength(500);
            e.Property(p => p.LastError).HasMaxLength(500);
            e.Property(p => p.Version).IsRowVersion();
            // The payout job's scan: payouts in flight, by when they are due.
            e.HasIndex(p => p.NextCheckAt).HasFilter("state IN ('Requested', 'Submitted')");
        });
        return model;
    }
}
