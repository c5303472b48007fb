using Microsoft.EntityFrameworkCore;

namespace Platform.Billing.Data;

/// <summary>
/// A customer merged into a survivor: every later ledger posting for <see cref="MergedId"/> lands on
/// <see cref="SurvivorId"/>'s book. Contracts, invoices, holds and refunds keep the merged id as signed; this row is
/// what sends their later money to the survivor.
/// </summary>
public sealed class CustomerMergeRow
{
    public Guid MergedId { get; init; }

    /// <summary>Where postings for the merged id land now: the survivor, or the survivor's own survivor when that was merged in turn.</summary>
    public Guid SurvivorId { get; set; }

    /// <summary>The survivor the customer service named in the merge event (kept as it was).</summary>
    public Guid MergedInto { get; init; }

    /// <summary>The CustomersMerged event first applied.</summary>
    public Guid EventId { get; init; }

    /// <summary>When the customer service merged them.</summary>
    public DateTimeOffset MergedAt { get; init; }

    /// <summary>When billing moved the money.</summary>
    public DateTimeOffset AppliedAt { get; init; }
}

internal static class MergeModel
{
    public static void AddMerges(this ModelBuilder modelBuilder) =>
        modelBuilder.Entity<CustomerMergeRow>(e =>
        {
            e.ToTable("customer_merges");
            e.HasKey(m => m.MergedId);
            e.HasIndex(m => m.SurvivorId);
        });
}
