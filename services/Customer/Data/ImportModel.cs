using Microsoft.EntityFrameworkCore;
using Platform.Customer.Domain;

namespace Platform.Customer.Data;

/// <summary>The record of written import batches, by request_id (<see cref="ImportBatch"/>).</summary>
public static class ImportModel
{
    public static ModelBuilder AddImportModel(this ModelBuilder model)
    {
        model.Entity<ImportBatch>(e =>
        {
            e.ToTable("import_batches");
            e.HasKey(b => new { b.RequestId, b.Number });
            e.Property(b => b.RequestId).HasMaxLength(128);
            e.Property(b => b.Fingerprint).HasMaxLength(64);
            e.HasIndex(b => b.CreatedAt); // retention finds old imports through it (ImportRetention)
        });
        return model;
    }
}
