using Microsoft.EntityFrameworkCore;
using Platform.Payment.Exceptions.Domain;

namespace Platform.Payment.Exceptions.Data;

/// <summary>The payment exception work items.</summary>
public static class ExceptionsModel
{
    public static ModelBuilder AddExceptionsTables(this ModelBuilder model)
    {
        model.Entity<WorkItem>(e =>
        {
            e.ToTable("payment_work_items");
            e.Property(w => w.Kind).HasConversion<string>().HasMaxLength(32);
            e.Property(w => w.Amount).HasPrecision(19, 4);
            e.Property(w => w.Currency).HasMaxLength(3);
            e.Property(w => w.Summary).HasMaxLength(500);
            e.Property(w => w.Owner).HasMaxLength(128);
            e.Property(w => w.ResolvedBy).HasMaxLength(128);
            e.Property(w => w.ResolutionNote).HasMaxLength(500);
            e.Property(w => w.Version).IsRowVersion();
            e.Ignore(w => w.IsOpen);

            // One item per exception: a redelivered event or a retried request cannot open a second one.
            e.HasIndex(w => new { w.Kind, w.PaymentId, w.InvoiceId }).IsUnique().AreNullsDistinct(false);

            // The queue: oldest first, open ones.
            e.HasIndex(w => new { w.CreatedAt, w.Id }).HasFilter("resolved_at IS NULL").HasDatabaseName("ix_payment_work_items_open_queue");
            e.HasIndex(w => new { w.CreatedAt, w.Id });
        });
        return model;
    }
}
