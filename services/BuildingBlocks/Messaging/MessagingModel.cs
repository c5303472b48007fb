using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Idempotency;

namespace Platform.BuildingBlocks.Messaging;

public static class MessagingModel
{
    /// <summary>Adds the outbox, inbox and idempotent-request tables to a service's model.</summary>
    public static ModelBuilder AddPlatformTables(this ModelBuilder model)
    {
        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.Id);
            e.Property(m => m.Sequence).UseIdentityAlwaysColumn();
            e.HasIndex(m => m.Sequence).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_messages_pending");

            // Retention (MessageRetention) finds the published rows past their age through these time indexes; without
            // them each pass would read the whole table. The relay's update that sets sent_at is not a HOT update
            // anyway (the pending index's predicate names sent_at). Created concurrently: a service's tables are
            // written to while a new release migrates them.
            e.HasIndex(m => m.SentAt).HasFilter("sent_at IS NOT NULL").HasDatabaseName("ix_outbox_messages_sent").IsCreatedConcurrently();
            e.Property(m => m.MessageType).HasMaxLength(300);
            e.Property(m => m.Payload).HasColumnType("jsonb");
            e.Property(m => m.TraceParent).HasMaxLength(64);
        });
        model.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.Property(m => m.Consumer).HasMaxLength(200);
            e.HasIndex(m => m.ProcessedAt).IsCreatedConcurrently();
        });
        model.Entity<IdempotentRequest>(e =>
        {
            e.ToTable("idempotent_requests");
            e.HasKey(r => r.Key);
            e.Property(r => r.Key).HasMaxLength(300);
            e.HasIndex(r => r.Subjects).HasMethod("gin").HasFilter("subjects IS NOT NULL");
            e.HasIndex(r => r.CreatedAt).IsCreatedConcurrently();
        });
        return model;
    }
}
