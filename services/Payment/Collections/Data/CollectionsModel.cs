using Microsoft.EntityFrameworkCore;
using Platform.Payment.Collections.Domain;

namespace Platform.Payment.Collections.Data;

/// <summary>Receivables (payment's view of billing's invoices), collections cases, negotiations and pending billing actions.</summary>
public static class CollectionsModel
{
    public static ModelBuilder AddCollectionsTables(this ModelBuilder model)
    {
        model.Entity<Receivable>(e =>
        {
            e.ToTable("receivables");
            e.HasKey(r => r.InvoiceId);
            e.Property(r => r.InvoiceNumber).HasMaxLength(64);
            e.Property(r => r.Amount).HasPrecision(19, 4);
            e.Property(r => r.AmountDue).HasPrecision(19, 4);
            e.Property(r => r.Currency).HasMaxLength(3);
            e.Property(r => r.Version).IsRowVersion();
            e.HasIndex(r => new { r.CustomerId, r.DueDate });
            e.HasIndex(r => r.IssuedAt);
        });
        model.Entity<ReceivableAllocation>(e =>
        {
            e.ToTable("receivable_allocations");
            e.HasKey(a => new { a.PaymentId, a.InvoiceId });
            e.Property(a => a.Amount).HasPrecision(19, 4);
            e.HasIndex(a => a.InvoiceId);
        });
        model.Entity<CollectionCase>(e =>
        {
            e.ToTable("collection_cases");
            e.HasIndex(c => c.InvoiceId).IsUnique();
            e.HasIndex(c => new { c.IsOpen, c.Id });
            e.HasIndex(c => new { c.CustomerId, c.Id });
            e.HasIndex(c => new { c.ContractId, c.IsOpen });
            e.HasIndex(c => c.WakeAt).HasFilter("is_open");
            e.Property(c => c.InvoiceNumber).HasMaxLength(64);
            e.Property(c => c.Currency).HasMaxLength(3);
            e.Property(c => c.AmountDue).HasPrecision(19, 4);
            e.Property(c => c.PromiseAmount).HasPrecision(19, 4);
            e.Property(c => c.PromisePaid).HasPrecision(19, 4);
            e.Property(c => c.Stage).HasConversion<string>().HasMaxLength(32);
            e.Property(c => c.PromiseState).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.CloseReason).HasMaxLength(32);
            e.Property(c => c.PromiseRecordedBy).HasMaxLength(200);
            e.Property(c => c.Version).IsRowVersion();
        });
        model.Entity<Negotiation>(e =>
        {
            e.ToTable("collection_negotiations");
            e.HasIndex(n => new { n.CaseId, n.RecordedAt });
            e.Property(n => n.Strategy).HasMaxLength(100);
            e.Property(n => n.Outcome).HasMaxLength(200);
            e.Property(n => n.Note).HasMaxLength(2000);
            e.Property(n => n.RecordedBy).HasMaxLength(200);
        });
        model.Entity<ContractAction>(e =>
        {
            e.ToTable("collection_contract_actions");
            e.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.Reason).HasMaxLength(ContractAction.MaxReasonLength);
            e.Property(a => a.LastError).HasMaxLength(1000);
            e.Property(a => a.Version).IsRowVersion();
            e.HasIndex(a => new { a.CaseId, a.Kind });
            e.HasIndex(a => a.NextAttemptAt).HasFilter("done_at IS NULL AND cancelled_at IS NULL");
        });
        return model;
    }
}
