using Microsoft.EntityFrameworkCore;
using Platform.Billing.Domain.Ledger;

namespace Platform.Billing.Data;

/// <summary>A transfer as applied: the caller's content (for replays and comparisons) and when.</summary>
public sealed class LedgerTransferRow
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public required string Code { get; init; }

    /// <summary>The legs as sent, canonical JSON; a replay with other content is compared against them.</summary>
    public required string Legs { get; init; }

    /// <summary>Free text from the caller (a payment, contract or milestone reference).</summary>
    public string? Reference { get; init; }

    public DateTimeOffset AppliedAt { get; init; }
}

/// <summary>One side of a leg. Append-only: a trigger refuses UPDATE and DELETE.</summary>
public sealed class LedgerEntryRow
{
    public long Id { get; init; }

    public Guid TransferId { get; init; }

    public Guid CustomerId { get; init; }

    public short Leg { get; init; }

    public LedgerAccount Account { get; init; }

    public bool Debit { get; init; }

    public decimal Amount { get; init; }

    /// <summary>The account's balance after this entry (in its normal direction).</summary>
    public decimal BalanceAfter { get; init; }

    public DateTimeOffset PostedAt { get; init; }
}

/// <summary>A dated portion of prepaid cash.</summary>
public sealed class PrepaidLotRow
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public Guid TransferId { get; init; }

    public decimal Original { get; init; }

    public decimal Remaining { get; set; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

internal static class LedgerModel
{
    public static void AddLedger(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LedgerTransferRow>(e =>
        {
            e.ToTable("ledger_transfers");
            e.HasKey(t => t.Id);
            e.Property(t => t.Code).HasMaxLength(64);
            e.Property(t => t.Legs).HasColumnType("jsonb");
            e.Property(t => t.Reference).HasMaxLength(200);
            e.HasIndex(t => new { t.CustomerId, t.AppliedAt });
        });
        modelBuilder.Entity<LedgerEntryRow>(e =>
        {
            e.ToTable("ledger_entries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.Account).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.Amount).HasPrecision(19, 4);
            e.Property(x => x.BalanceAfter).HasPrecision(19, 4);
            e.HasIndex(x => new { x.CustomerId, x.Id });
            e.HasIndex(x => x.TransferId);
        });
        modelBuilder.Entity<PrepaidLotRow>(e =>
        {
            e.ToTable("prepaid_lots");
            e.HasKey(l => l.Id);
            e.Property(l => l.Original).HasPrecision(19, 4);
            e.Property(l => l.Remaining).HasPrecision(19, 4);
            e.HasIndex(l => l.CustomerId).HasFilter("remaining > 0").HasDatabaseName("ix_prepaid_lots_open");
            e.HasIndex(l => l.ExpiresAt).HasFilter("remaining > 0").HasDatabaseName("ix_prepaid_lots_expiring");
        });
        modelBuilder.Entity<PrepaidLotReminderRow>(e =>
        {
            e.ToTable("prepaid_lot_reminders");
            e.HasKey(r => new { r.LotId, r.Days });
        });
        modelBuilder.Entity<BalanceWatchRow>(e =>
        {
            e.ToTable("balance_watch");
            e.HasKey(w => w.CustomerId);
        });
    }
}

/// <summary>A PrepaidExpiring reminder sent for a lot (one per lot and reminder day).</summary>
public sealed class PrepaidLotReminderRow
{
    public Guid LotId { get; init; }

    public int Days { get; init; }

    public DateTimeOffset SentAt { get; init; }
}

/// <summary>Whether the customer's runway is below the threshold, so PrepaidBalanceLow fires once per crossing.</summary>
public sealed class BalanceWatchRow
{
    public Guid CustomerId { get; init; }

    public bool RunwayLow { get; set; }
}
