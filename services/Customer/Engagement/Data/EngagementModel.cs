using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Money;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Data;

/// <summary>The tables of what happens to a customer over time: lifecycle, grading, follow-ups, pipeline, loyalty, insight facts.</summary>
public static class EngagementModel
{
    private const int Money = MoneyValidation.Precision;

    public static ModelBuilder AddEngagement(this ModelBuilder model)
    {
        model.Entity<CustomerActivity>(e =>
        {
            e.ToTable("customer_activity");
            e.HasKey(a => a.CustomerId);
        });
        model.Entity<LifecycleChange>(e =>
        {
            e.ToTable("lifecycle_changes");
            e.HasKey(c => c.Id);
            e.Property(c => c.From).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.To).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Reason).HasMaxLength(40);
            e.HasIndex(c => new { c.CustomerId, c.OccurredAt });
            e.HasIndex(c => c.OccurredAt);
        });
        model.Entity<IntentGradeRecord>(e =>
        {
            e.ToTable("intent_grade_changes");
            e.HasKey(c => c.Id);
            e.Property(c => c.From).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.To).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Reason).HasMaxLength(500);
            e.Property(c => c.ChangedBy).HasMaxLength(200);
            e.HasIndex(c => new { c.CustomerId, c.ChangedAt });
        });
        model.Entity<PaymentFact>(e =>
        {
            e.ToTable("payment_facts");
            e.HasKey(p => new { p.PaymentId, p.Generation });
            e.Property(p => p.Amount).HasPrecision(Money, MoneyValidation.Scale);
            e.Property(p => p.Currency).HasMaxLength(3);
            e.HasIndex(p => new { p.CustomerId, p.ReceivedAt });
            e.HasIndex(p => p.ReceivedAt);
        });
        model.Entity<PaymentReversal>(e =>
        {
            e.ToTable("payment_reversals");
            e.HasKey(r => new { r.PaymentId, r.Generation });
            e.Property(r => r.Amount).HasPrecision(Money, MoneyValidation.Scale);
            e.Property(r => r.Reason).HasMaxLength(40);
        });
        model.Entity<RefundFact>(e =>
        {
            e.ToTable("refund_facts");
            e.HasKey(r => r.RefundId);
            e.Property(r => r.Amount).HasPrecision(Money, MoneyValidation.Scale);
            e.HasIndex(r => new { r.CustomerId, r.PaidAt });
            e.HasIndex(r => r.PaidAt);
        });
        model.Entity<SurveyAnswer>(e =>
        {
            e.ToTable("survey_answers");
            e.HasKey(s => s.ComplaintId);
            e.HasIndex(s => s.AnsweredAt);
        });
        model.Entity<CadencePolicy>(e =>
        {
            e.ToTable("cadence_policies");
            e.HasKey(p => p.Grade);
            e.Property(p => p.Grade).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.Channels).HasMaxLength(100);
            e.Property(p => p.Description).HasMaxLength(500);
            e.Ignore(p => p.ChannelList);
            e.Ignore(p => p.PrimaryChannel);
        });
        model.Entity<FollowUpTask>(e =>
        {
            e.ToTable("follow_up_tasks");
            e.HasKey(t => t.Id);
            e.Property(t => t.Grade).HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.Channel).HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.State).HasConversion<string>().HasMaxLength(20);
            e.Ignore(t => t.DoneOnTime);
            e.HasIndex(t => new { t.OwnerId, t.DueAt, t.Id });
            e.HasIndex(t => new { t.CustomerId, t.DueAt, t.Id });
            e.HasIndex(t => t.DueAt).HasFilter("state = 'Open' AND overdue_raised_at IS NULL").HasDatabaseName("ix_follow_up_tasks_overdue_watch");
            // One open task per customer: the plan has one next step.
            e.HasIndex(t => t.CustomerId).IsUnique().HasFilter("state = 'Open'").HasDatabaseName("ix_follow_up_tasks_one_open");
        });
        model.Entity<Interaction>(e =>
        {
            e.ToTable("interactions");
            e.HasKey(i => i.Id);
            e.Property(i => i.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(i => i.Outcome).HasMaxLength(1000);
            e.Property(i => i.RecordedBy).HasMaxLength(200);
            e.HasIndex(i => new { i.CustomerId, i.OccurredAt, i.Id });
        });
        model.Entity<Opportunity>(e =>
        {
            e.ToTable("opportunities");
            e.HasKey(o => o.Id);
            e.Property(o => o.Title).HasMaxLength(200);
            e.Property(o => o.Stage).HasConversion<string>().HasMaxLength(30);
            e.Property(o => o.Amount).HasPrecision(Money, MoneyValidation.Scale);
            e.Property(o => o.Currency).HasMaxLength(3);
            e.Property(o => o.LostReason).HasMaxLength(500);
            e.Property(o => o.Version).IsRowVersion();
            e.HasIndex(o => new { o.Stage, o.OwnerId, o.Id });
            e.HasIndex(o => new { o.OwnerId, o.Id });
        });
        model.Entity<OpportunityStageChange>(e =>
        {
            e.ToTable("opportunity_stage_changes");
            e.HasKey(c => c.Id);
            e.Property(c => c.From).HasConversion<string>().HasMaxLength(30);
            e.Property(c => c.To).HasConversion<string>().HasMaxLength(30);
            e.Property(c => c.ChangedBy).HasMaxLength(200);
            e.HasIndex(c => c.OpportunityId);
        });
        model.Entity<LoyaltyEntry>(e =>
        {
            e.ToTable("loyalty_entries");
            e.HasKey(l => l.Id);
            e.Property(l => l.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(l => new { l.CustomerId, l.Kind, l.SourceId, l.Generation }).IsUnique();
            e.HasIndex(l => new { l.CustomerId, l.Id });
            e.HasIndex(l => l.PaymentId);
        });
        model.Entity<Referral>(e =>
        {
            e.ToTable("referrals");
            e.HasKey(r => r.ReferredCustomerId);
            e.HasIndex(r => r.ReferrerCustomerId);
        });
        return model;
    }
}
