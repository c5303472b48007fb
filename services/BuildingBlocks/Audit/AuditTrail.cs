using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Platform.BuildingBlocks.Audit;

/// <summary>Adds an audit entry to the unit of work; it is saved (or rolled back) with the change it records.</summary>
public sealed class AuditTrail(DbContext db, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Record(string actor, string action, string subject, Guid? customerId, object details) =>
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            Subject = subject,
            CustomerId = customerId,
            Details = JsonSerializer.Serialize(details, Json),
            TraceId = Activity.Current?.TraceId.ToHexString(),
        });
}

public static class AuditModel
{
    /// <summary>The <c>audit_trail</c> table, for a service whose people's actions are audited.</summary>
    public static ModelBuilder AddAuditTrail(this ModelBuilder model)
    {
        model.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_trail");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).UseIdentityAlwaysColumn();
            e.Property(a => a.Actor).HasMaxLength(200);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.Subject).HasMaxLength(200);
            e.Property(a => a.Details).HasColumnType("jsonb");
            e.Property(a => a.TraceId).HasMaxLength(32);
            e.HasIndex(a => new { a.Subject, a.Id });
            e.HasIndex(a => new { a.CustomerId, a.Id });
        });
        return model;
    }
}
