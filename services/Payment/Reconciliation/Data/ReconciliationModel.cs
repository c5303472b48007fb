using Microsoft.EntityFrameworkCore;
using Platform.Payment.Reconciliation.Domain;

namespace Platform.Payment.Reconciliation.Data;

/// <summary>Imported statements, their lines, and their reconciliation reports.</summary>
public static class ReconciliationModel
{
    public static ModelBuilder AddReconciliationTables(this ModelBuilder model)
    {
        model.Entity<Statement>(e =>
        {
            e.ToTable("statements");
            e.Property(s => s.Source).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Name).HasMaxLength(200);
            e.Property(s => s.ImportedBy).HasMaxLength(128);
            e.Property(s => s.Version).IsRowVersion();
            e.HasIndex(s => new { s.Status, s.StatementDate });
        });
        model.Entity<StatementLine>(e =>
        {
            e.ToTable("statement_lines");
            e.HasKey(l => new { l.StatementId, l.LineNumber });
            e.Property(l => l.Amount).HasPrecision(19, 4);
            e.Property(l => l.Reference).HasMaxLength(128);
            e.Property(l => l.Counterparty).HasMaxLength(200);
            e.HasOne<Statement>().WithMany().HasForeignKey(l => l.StatementId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ReconciliationItem>(e =>
        {
            e.ToTable("reconciliation_items");
            e.HasKey(i => new { i.StatementId, i.Ordinal });
            e.Property(i => i.Outcome).HasConversion<string>().HasMaxLength(16);
            e.Property(i => i.Reference).HasMaxLength(128);
            e.Property(i => i.Counterparty).HasMaxLength(200);
            e.Property(i => i.StatementAmount).HasPrecision(19, 4);
            e.Property(i => i.PaymentAmount).HasPrecision(19, 4);
            e.Property(i => i.Difference).HasMaxLength(32);
            e.HasOne<Statement>().WithMany().HasForeignKey(i => i.StatementId).OnDelete(DeleteBehavior.Cascade);
        });
        return model;
    }
}
