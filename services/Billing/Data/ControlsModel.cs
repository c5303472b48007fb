using Platform.BuildingBlocks.Audit;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Domain.Controls;

namespace Platform.Billing.Data;

internal static class ControlsModel
{
    public static void AddControls(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Hold>(e =>
        {
            e.ToTable("holds");
            e.HasKey(h => h.Id);
            e.Property(h => h.Milestone).HasMaxLength(100);
            e.Property(h => h.State).HasConversion<string>().HasMaxLength(20);
            e.Property(h => h.Amount).HasPrecision(19, 4);
            e.Property(h => h.Released).HasPrecision(19, 4);
            e.Property(h => h.CreatedBy).HasMaxLength(200);
            e.Ignore(h => h.Remaining);
            e.HasIndex(h => new { h.CustomerId, h.CreatedAt });
            e.HasMany(h => h.Releases).WithOne().HasForeignKey(r => r.HoldId);
            e.Property<uint>("Version").IsRowVersion();
        });
        modelBuilder.Entity<HoldRelease>(e =>
        {
            e.ToTable("hold_releases");
            e.HasKey(r => new { r.HoldId, r.Sequence });
            e.Property(r => r.Amount).HasPrecision(19, 4);
            e.Property(r => r.ApprovedBy).HasMaxLength(200);
            e.Property(r => r.Note).HasMaxLength(500);
        });
        modelBuilder.Entity<Refund>(e =>
        {
            e.ToTable("refunds");
            e.HasKey(r => r.Id);
            e.Property(r => r.Amount).HasPrecision(19, 4);
            e.Property(r => r.Reason).HasMaxLength(500);
            e.Property(r => r.FailureReason).HasMaxLength(500);
            e.Ignore(r => r.State);
            e.OwnsOne(r => r.Approval, Approval);
            e.HasIndex(r => r.CustomerId);
            e.Property<uint>("Version").IsRowVersion();
        });
        modelBuilder.Entity<Adjustment>(e =>
        {
            e.ToTable("adjustments");
            e.HasKey(a => a.Id);
            e.Property(a => a.Legs).HasColumnType("jsonb");
            e.Property(a => a.Reason).HasMaxLength(500);
            e.Ignore(a => a.State);
            e.Ignore(a => a.TransferId);
            e.OwnsOne(a => a.Approval, Approval);
            e.HasIndex(a => a.CustomerId);
            e.Property<uint>("Version").IsRowVersion();
        });
        modelBuilder.Entity<BalanceConfirmation>(e =>
        {
            e.ToTable("balance_confirmations");
            e.HasKey(c => c.Id);
            e.Property(c => c.State).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(c => c.IssuedBy).HasMaxLength(200);
            e.Property(c => c.DisputeReason).HasMaxLength(1000);
            foreach (var amount in new[] { nameof(BalanceConfirmation.PrepaidCash), nameof(BalanceConfirmation.PromotionalCredit), nameof(BalanceConfirmation.Held), nameof(BalanceConfirmation.RefundsPayable) })
            {
                e.Property<decimal>(amount).HasPrecision(19, 4);
            }

            e.HasIndex(c => c.CustomerId);
            e.Property<uint>("Version").IsRowVersion();
        });
        modelBuilder.AddAuditTrail();
    }

    private static void Approval<TOwner>(Microsoft.EntityFrameworkCore.Metadata.Builders.OwnedNavigationBuilder<TOwner, Approval> a) where TOwner : class
    {
        a.Property(x => x.State).HasColumnName("approval_state").HasConversion<string>().HasMaxLength(20);
        a.Property(x => x.RequestedBy).HasColumnName("requested_by").HasMaxLength(200);
        a.Property(x => x.RequestedAt).HasColumnName("requested_at");
        a.Property(x => x.DecidedBy).HasColumnName("decided_by").HasMaxLength(200);
        a.Property(x => x.DecidedAt).HasColumnName("decided_at");
        a.Property(x => x.Note).HasColumnName("decision_note").HasMaxLength(500);
    }
}
