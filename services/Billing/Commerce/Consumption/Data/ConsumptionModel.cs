using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Consumption.Domain;

namespace Platform.Billing.Commerce.Consumption.Data;

/// <summary>The table of contract charges.</summary>
public static class ConsumptionModel
{
    public static ModelBuilder AddConsumption(this ModelBuilder model)
    {
        model.Entity<ContractCharge>(e =>
        {
            e.ToTable("contract_charges");
            e.HasKey(c => c.Id);
            // The charge's identity: the schedule, a second replica or a replayed usage finds it here and charges once.
            e.HasIndex(c => new { c.ContractId, c.FeeItemCode, c.Period }).IsUnique();
            e.HasIndex(c => new { c.ContractId, c.Id });
            e.Property(c => c.FeeItemCode).HasMaxLength(64);
            e.Property(c => c.Period).HasMaxLength(160);
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Settlement).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(c => c.Amount).HasColumnType("numeric(19,4)");
        });
        return model;
    }
}
