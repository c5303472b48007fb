using Platform.Billing.Commerce.Domain;
using Platform.BuildingBlocks.Money;

namespace Platform.Billing.Commerce.Application;

/// <summary>Configuration section Billing:Commerce.</summary>
public sealed class CommerceOptions
{
    public const string Section = "Billing:Commerce";

    /// <summary>Currency of the catalog, quotes and invoices (ISO 4217).</summary>
    public string Currency { get; set; } = MoneyExtensions.DefaultCurrency;

    /// <summary>Notice a price change gives, in days (default 30).</summary>
    public int PriceChangeNoticeDays { get; set; } = 30;

    /// <summary>The floor no configured notice may go below.</summary>
    public int MinimumPriceChangeNoticeDays { get; set; } = 30;

    public int QuoteValidityDays { get; set; } = 30;

    /// <summary>How often the due/overdue scan runs.</summary>
    public TimeSpan InvoiceScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many invoices a due/overdue scan round looks at; the rest in the next rounds.</summary>
    public int InvoiceScanBatchSize { get; set; } = 500;

    /// <summary>How often the contract schedule (installment invoices, milestone holds, late penalties) runs.</summary>
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Rows the contract schedule reads at a time; installments are issued up to this many a round, milestones and late
    /// invoices are paged through, all of them each round.
    /// </summary>
    public int ScheduleBatchSize { get; set; } = 200;

    /// <summary>Days before an installment's due date its invoice is issued.</summary>
    public int InstallmentLeadDays { get; set; } = 15;

    public DiscountOptions Discounts { get; set; } = new();

    /// <summary>Billing:Commerce:CreditCheck: payment's credit assessment before signing.</summary>
    public CreditCheckOptions CreditCheck { get; set; } = new();
}

public sealed class DiscountOptions
{
    public decimal NewCustomerPercent { get; set; } = 5m;

    /// <summary>Percent off for a returning customer by value tier (Low, Mid, High).</summary>
    public Dictionary<string, decimal> ReturningTierPercent { get; set; } = new() { ["Low"] = 2m, ["Mid"] = 5m, ["High"] = 8m };

    public List<VolumeBreakOption> VolumeBreaks { get; set; } = [new() { MinQuantity = 10, Percent = 5m }, new() { MinQuantity = 50, Percent = 10m }];

    public decimal MaxTotalPercent { get; set; } = 25m;

    public DiscountPolicy ToPolicy() => new(
        NewCustomerPercent,
        ReturningTierPercent.ToDictionary(p => Enum.Parse<CustomerValueTier>(p.Key, ignoreCase: true), p => p.Value),
        VolumeBreaks.Select(b => new VolumeBreak(b.MinQuantity, b.Percent)).ToList(),
        MaxTotalPercent);
}

public sealed class VolumeBreakOption
{
    public int MinQuantity { get; set; }

    public decimal Percent { get; set; }
}
