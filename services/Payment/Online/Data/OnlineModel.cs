using Microsoft.EntityFrameworkCore;
using Platform.Payment.Online.Domain;

namespace Platform.Payment.Online.Data;

/// <summary>Online payment intents.</summary>
public static class OnlineModel
{
    public static ModelBuilder AddOnlineTables(this ModelBuilder model)
    {
        model.Entity<PaymentIntent>(e =>
        {
            e.ToTable("payment_intents");
            e.Property(i => i.Method).HasConversion<string>().HasMaxLength(32);
            e.Property(i => i.State).HasConversion<string>().HasMaxLength(32);
            e.Property(i => i.Amount).HasPrecision(19, 4);
            e.Property(i => i.Currency).HasMaxLength(3);
            e.Property(i => i.Provider).HasMaxLength(32);
            e.Property(i => i.ProviderReference).HasMaxLength(128);
            e.Property(i => i.QrCodeContent).HasMaxLength(1024);
            e.Property(i => i.Description).HasMaxLength(128);
            e.Property(i => i.FailureReason).HasMaxLength(500);
            e.Property(i => i.Version).IsRowVersion();
            // A notification names the provider's reference; one intent per reference.
            e.HasIndex(i => new { i.Provider, i.ProviderReference }).IsUnique();
            // The re-check's scan of open intents.
            e.HasIndex(i => new { i.State, i.CreatedAt });
        });
        return model;
    }
}
