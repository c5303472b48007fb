using Microsoft.EntityFrameworkCore;

namespace Platform.Payment.Data;

/// <summary>The recorded payments: the book every other part of the payment service reads.</summary>
public static class PaymentModel
{
    public static ModelBuilder AddPaymentTables(this ModelBuilder model)
    {
        model.Entity<Domain.Payment>(e =>
        {
            e.ToTable("payments");
            e.Property(p => p.Method).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.State).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.Amount).HasPrecision(19, 4);
            e.Property(p => p.Currency).HasMaxLength(3);
            e.Property(p => p.Reference).HasMaxLength(128);
            e.Property(p => p.Collector).HasMaxLength(128);
            e.Property(p => p.Version).IsRowVersion();
            e.HasIndex(p => new { p.CustomerId, p.ReceivedAt });
            e.HasIndex(p => p.Reference);
            e.HasIndex(p => new { p.State, p.ReceivedAt });
            e.HasIndex(p => p.PayerUnverified).HasFilter("payer_unverified");
        });
        return model;
    }
}
