using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Platform.BuildingBlocks.Money;
using Platform.Customer.Domain;

namespace Platform.Customer.Data;

/// <summary>The profile tables: customers, their key contacts and consent history, with the indexes the filtered lists need.</summary>
public static class ProfileModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ModelBuilder AddProfileModel(this ModelBuilder model)
    {
        // Text search on names is a trigram index lookup rather than a scan of every customer.
        model.HasPostgresExtension("pg_trgm");
        model.Entity<CustomerProfile>(e =>
        {
            e.ToTable("customers");
            e.HasKey(c => c.Id);
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Stage).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.DisplayName).HasMaxLength(200);
            e.Property(c => c.EmailIndex).HasMaxLength(64);
            e.Property(c => c.PhoneIndex).HasMaxLength(64);
            e.Property(c => c.IdentityIndex).HasMaxLength(64);
            e.HasIndex(c => c.EmailIndex).IsUnique().HasFilter("email_index IS NOT NULL");
            e.HasIndex(c => c.PhoneIndex).IsUnique().HasFilter("phone_index IS NOT NULL");
            e.HasIndex(c => c.IdentityIndex).HasFilter("identity_index IS NOT NULL");
            e.Property(c => c.ValueTier).HasConversion<string>().HasMaxLength(20).HasDefaultValue(ValueTier.Unrated);
            e.Property(c => c.IntentGrade).HasConversion<string>().HasMaxLength(20).HasDefaultValue(IntentGrade.Ungraded);
            e.Property(c => c.Industry).HasMaxLength(40);
            e.Property(c => c.Gender).HasConversion<string>().HasMaxLength(20).HasDefaultValue(Gender.Unspecified);
            e.Property(c => c.FamilyStatus).HasConversion<string>().HasMaxLength(30).HasDefaultValue(FamilyStatus.Unspecified);
            e.Property(c => c.NeedType).HasConversion<string>().HasMaxLength(20).HasDefaultValue(NeedType.Unspecified);
            e.Property(c => c.AcquisitionChannel).HasConversion<string>().HasMaxLength(30).HasDefaultValue(AcquisitionChannel.Unspecified);
            e.Property(c => c.Occupation).HasMaxLength(100);
            e.Property(c => c.DecisionProcessNotes).HasMaxLength(2000);
            e.Property(c => c.BudgetMin).HasPrecision(MoneyValidation.Precision, MoneyValidation.Scale);
            e.Property(c => c.BudgetMax).HasPrecision(MoneyValidation.Precision, MoneyValidation.Scale);
            e.Property(c => c.BudgetCurrency).HasMaxLength(3);
            e.Property(c => c.Address).HasColumnType("jsonb").HasConversion(
                a => a == null ? null : JsonSerializer.Serialize(a, Json),
                s => s == null ? null : JsonSerializer.Deserialize<PostalAddress>(s, Json));
            e.Property(c => c.CustomAttributes).HasColumnType("jsonb").HasConversion(
                a => JsonSerializer.Serialize(a, Json),
                s => JsonSerializer.Deserialize<Dictionary<string, string>>(s, Json) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (x, y) => x!.Count == y!.Count && !x.Except(y).Any(),
                    d => d.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value)),
                    d => new Dictionary<string, string>(d)))
                .HasDefaultValueSql("'{}'::jsonb");
            e.Property(c => c.Tags).HasColumnType("text[]").HasDefaultValueSql("'{}'::text[]");

            // Keyset pages run newest first (id desc, UUIDv7) within a filter: one (filter column, id) index per
            // filter lets a page read only its rows; tags and name search use GIN.
            e.HasIndex(c => new { c.Stage, c.Id });
            e.HasIndex(c => new { c.ValueTier, c.Id });
            e.HasIndex(c => new { c.IntentGrade, c.Id });
            e.HasIndex(c => new { c.Industry, c.Id });
            e.HasIndex(c => new { c.NeedType, c.Id });
            e.HasIndex(c => new { c.OwnerId, c.Id });
            e.HasIndex(c => new { c.AcquisitionChannel, c.Id });
            e.HasIndex(c => c.Tags).HasMethod("gin");
            e.HasIndex(c => c.DisplayName).HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_customers_display_name_trgm");
            e.HasIndex(c => c.MergedIntoId).HasFilter("merged_into_id IS NOT NULL");
            e.Property(c => c.Version).IsRowVersion();
        });
        model.Entity<KeyContact>(e =>
        {
            e.ToTable("customer_contacts");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.CustomerId, c.Role });
            e.Property(c => c.Role).HasConversion<string>().HasMaxLength(30);
            e.Property(c => c.Name).HasMaxLength(200);
            e.Property(c => c.Title).HasMaxLength(100);
            e.HasOne<CustomerProfile>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.Property(c => c.Version).IsRowVersion();
        });
        model.Entity<ConsentChange>(e =>
        {
            e.ToTable("customer_consents");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.CustomerId, c.Purpose, c.ChangedAt });
            e.Property(c => c.Purpose).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Source).HasMaxLength(100);
            e.Property(c => c.RecordedBy).HasMaxLength(200);
            e.HasOne<CustomerProfile>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });
        return model;
    }
}
