using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Data;

/// <summary>The tables of the commercial side of billing: catalog, quotes, contracts, invoices, receipts, counters.</summary>
public static class CommerceModel
{
    private const string Money = "numeric(19,4)";

    public static ModelBuilder AddCommerce(this ModelBuilder model)
    {
        model.Entity<Product>(e =>
        {
            e.ToTable("products");
            e.HasKey(p => p.Id);
            e.HasIndex(p => p.Code).IsUnique();
            e.Property(p => p.Code).HasMaxLength(64);
            e.Property(p => p.Name).HasMaxLength(200);
            e.OwnsMany(p => p.FeeItems, f =>
            {
                f.ToTable("fee_items");
                f.HasIndex(x => x.Code).IsUnique();
                f.Property(x => x.Code).HasMaxLength(64);
                f.Property(x => x.Name).HasMaxLength(200);
                f.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
            });
        });

        model.Entity<PriceList>(e =>
        {
            e.ToTable("price_lists");
            e.HasKey(p => p.Id);
            e.HasIndex(p => p.Version).IsUnique();
            e.HasIndex(p => p.EffectiveFrom);
            e.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
            e.OwnsMany(p => p.Entries, x =>
            {
                x.ToTable("price_list_entries");
                x.Property(y => y.FeeItemCode).HasMaxLength(64);
                x.Property(y => y.UnitPrice).HasColumnType(Money);
            });
        });

        model.Entity<Coupon>(e =>
        {
            e.ToTable("coupons");
            e.HasKey(c => c.Id);
            e.HasIndex(c => c.Code).IsUnique();
            e.Property(c => c.Code).HasMaxLength(40);
            e.Property(c => c.AmountOff).HasColumnType(Money);
            e.Property(c => c.Version).IsRowVersion();
        });

        model.Entity<Quote>(e =>
        {
            e.ToTable("quotes");
            e.HasKey(q => q.Id);
            e.HasIndex(q => q.CustomerId);
            e.Property(q => q.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(q => q.CouponCode).HasMaxLength(40);
            e.Property(q => q.CreatedBy).HasMaxLength(200);
            e.Property(q => q.Subtotal).HasColumnType(Money);
            e.Property(q => q.DiscountTotal).HasColumnType(Money);
            e.Property(q => q.Total).HasColumnType(Money);
            e.Property(q => q.Version).IsRowVersion();
            e.OwnsMany(q => q.Items, i => LineItems(i, "quote_items"));
            e.OwnsMany(q => q.Discounts, d => Discounts(d, "quote_discounts"));
        });

        model.Entity<Contract>(e =>
        {
            e.ToTable("contracts");
            e.HasKey(c => c.Id);
            e.HasIndex(c => c.CustomerId);
            e.HasIndex(c => c.QuoteId).IsUnique();
            e.HasIndex(c => c.Number).IsUnique().HasFilter("number IS NOT NULL");
            e.Property(c => c.Number).HasMaxLength(32);
            e.Property(c => c.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(c => c.State).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Entitlement).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.EntitlementReason).HasMaxLength(500);
            e.Property(c => c.CreatedBy).HasMaxLength(200);
            e.Property(c => c.Subtotal).HasColumnType(Money);
            e.Property(c => c.DiscountTotal).HasColumnType(Money);
            e.Property(c => c.Total).HasColumnType(Money);
            e.Property(c => c.Version).IsRowVersion();
            e.Ignore(c => c.End);
            e.Ignore(c => c.RefundPolicy);
            e.Ignore(c => c.NonRefundableAmount);
            e.OwnsMany(c => c.Items, i => LineItems(i, "contract_items"));
            e.OwnsMany(c => c.Discounts, d => Discounts(d, "contract_discounts"));
            e.OwnsMany(c => c.Signatures, s => Signatures(s, "contract_signatures"));
            e.OwnsOne(c => c.Terms, t =>
            {
                t.Property(x => x.PaymentMode).HasConversion<string>().HasMaxLength(20);
                t.Property(x => x.RefundBasis).HasConversion<string>().HasMaxLength(20);
                t.OwnsMany(x => x.PaymentSteps, p =>
                {
                    p.ToTable("contract_payment_steps");
                    p.Property(y => y.Name).HasMaxLength(200);
                    p.Property(y => y.Amount).HasColumnType(Money);
                });
            });
            e.Navigation(c => c.Terms).IsRequired();
        });

        model.Entity<Amendment>(e =>
        {
            e.ToTable("amendments");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.ContractId, a.Sequence }).IsUnique();
            e.HasOne<Contract>().WithMany().HasForeignKey(a => a.ContractId);
            e.Property(a => a.Description).HasMaxLength(500);
            e.Property(a => a.Total).HasColumnType(Money);
            e.Property(a => a.Version).IsRowVersion();
            e.OwnsMany(a => a.Items, i => LineItems(i, "amendment_items"));
            e.OwnsMany(a => a.Signatures, s => Signatures(s, "amendment_signatures"));
        });

        model.Entity<Invoice>(e =>
        {
            e.ToTable("invoices");
            e.HasKey(i => i.Id);
            e.HasIndex(i => i.Number).IsUnique().HasFilter("number IS NOT NULL");
            e.HasIndex(i => new { i.CustomerId, i.Id });
            e.HasIndex(i => new { i.State, i.DueDate });
            e.HasIndex(i => new { i.ContractId, i.InstallmentSequence }).IsUnique().HasFilter("installment_sequence > 0");
            e.HasIndex(i => i.PenaltyFor).IsUnique().HasFilter("penalty_for IS NOT NULL");
            e.Property(i => i.Number).HasMaxLength(32);
            e.Property(i => i.Description).HasMaxLength(500);
            e.Property(i => i.CloseReason).HasMaxLength(500);
            e.Property(i => i.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(i => i.State).HasConversion<string>().HasMaxLength(20);
            e.Property(i => i.Amount).HasColumnType(Money);
            e.Property(i => i.AmountPaid).HasColumnType(Money);
            e.Property(i => i.Version).IsRowVersion();
            e.Ignore(i => i.AmountDue);
        });

        model.HasSequence<long>(DocumentNumbers.ReceiptSequence);
        model.Entity<Receipt>(e =>
        {
            e.ToTable("receipts");
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.PaymentId, r.Generation }).IsUnique();
            e.HasIndex(r => r.Number).IsUnique();
            e.Property(r => r.ReversalReason).HasMaxLength(32);
            e.HasIndex(r => r.ContractId).HasFilter("contract_id IS NOT NULL");
            e.Property(r => r.Number).HasMaxLength(32);
            e.Property(r => r.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(r => r.Amount).HasColumnType(Money);
            e.Property(r => r.Unallocated).HasColumnType(Money);
            e.OwnsMany(r => r.Allocations, a =>
            {
                a.ToTable("receipt_allocations");
                a.Property(x => x.Amount).HasColumnType(Money);
            });
        });

        model.Entity<DocumentCounter>(e =>
        {
            e.ToTable("document_counters");
            e.HasKey(c => new { c.Series, c.Year });
            e.Property(c => c.Series).HasMaxLength(8);
        });
        return model;
    }

    private static void LineItems<TOwner>(OwnedNavigationBuilder<TOwner, LineItem> i, string table) where TOwner : class
    {
        i.ToTable(table);
        i.Property(x => x.FeeItemCode).HasMaxLength(64);
        i.Property(x => x.Name).HasMaxLength(200);
        i.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
        i.Property(x => x.UnitPrice).HasColumnType(Money);
        i.Property(x => x.LineTotal).HasColumnType(Money);
    }

    private static void Discounts<TOwner>(OwnedNavigationBuilder<TOwner, RecordedDiscount> d, string table) where TOwner : class
    {
        d.ToTable(table);
        d.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
        d.Property(x => x.Code).HasMaxLength(64);
        d.Property(x => x.Description).HasMaxLength(200);
        d.Property(x => x.Amount).HasColumnType(Money);
    }

    private static void Signatures<TOwner>(OwnedNavigationBuilder<TOwner, Signature> s, string table) where TOwner : class
    {
        s.ToTable(table);
        s.Property(x => x.Party).HasConversion<string>().HasMaxLength(20);
        s.Property(x => x.SignerName).HasMaxLength(200);
        s.Property(x => x.RecordedBy).HasMaxLength(200);
        // One signature per party, even when two clerks record it at once.
        var ownerKey = typeof(TOwner).Name + "Id";
        s.HasIndex(ownerKey, nameof(Signature.Party)).IsUnique();
    }
}
