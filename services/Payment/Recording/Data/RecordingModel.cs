using Microsoft.EntityFrameworkCore;

namespace Platform.Payment.Recording.Data;

/// <summary>The method-specific details of recorded payments (columns of <c>payments</c>) and the indexes the lists use.</summary>
public static class RecordingModel
{
    public static ModelBuilder AddRecordingTables(this ModelBuilder model)
    {
        model.Entity<Domain.Payment>(e =>
        {
            e.Property(p => p.ChequeNumber).HasMaxLength(32);
            e.Property(p => p.DrawerBank).HasMaxLength(100);
            e.Property(p => p.CardLast4).HasMaxLength(4);
            e.Property(p => p.AuthorizationCode).HasMaxLength(32);
            e.Property(p => p.WalletTransactionId).HasMaxLength(64);
            e.Property(p => p.VirtualAccountNumber).HasMaxLength(34);
            e.Property(p => p.FailureReason).HasMaxLength(500);

            // Newest first per customer (ids are time-ordered UUIDv7).
            e.HasIndex(p => new { p.CustomerId, p.Id });
        });
        return model;
    }
}
