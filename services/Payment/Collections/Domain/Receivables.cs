namespace Platform.Payment.Collections.Domain;

/// <summary>Payment's own copy of one billing invoice, kept from billing's events: what it was, when due, what it still owes.</summary>
public sealed class Receivable
{
    public Guid InvoiceId { get; init; }

    public required string InvoiceNumber { get; set; }

    public Guid CustomerId { get; init; }

    public Guid? ContractId { get; init; }

    public decimal Amount { get; set; }

    public decimal AmountDue { get; set; }

    public required string Currency { get; init; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset DueDate { get; set; }

    /// <summary>When billing reported it paid in full.</summary>
    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>When finance wrote its collections case off: from then on it is bad debt, no longer a receivable.</summary>
    public DateTimeOffset? WrittenOffAt { get; set; }

    /// <summary>When billing voided it: it was never owed from then on (not a receivable, not a sale).</summary>
    public DateTimeOffset? VoidedAt { get; set; }

    public uint Version { get; set; }
}

/// <summary>What one payment paid on one invoice, and when: the history aging "as of" a past date needs.</summary>
public sealed class ReceivableAllocation
{
    public Guid PaymentId { get; init; }

    public Guid InvoiceId { get; init; }

    public decimal Amount { get; init; }

    public DateTimeOffset At { get; init; }
}

public enum AgingBucket
{
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

/// <summary>Outstanding amounts per aging bucket.</summary>
public sealed record AgingBuckets(decimal Current, decimal Days1To30, decimal Days31To60, decimal Days61To90, decimal Over90)
{
    public static AgingBuckets Empty { get; } = new(0m, 0m, 0m, 0m, 0m);

    public decimal Total => Current + Days1To30 + Days31To60 + Days61To90 + Over90;

    public AgingBuckets Add(AgingBucket bucket, decimal amount) => bucket switch
    {
        AgingBucket.Current => this with { Current = Current + amount },
        AgingBucket.Days1To30 => this with { Days1To30 = Days1To30 + amount },
        AgingBucket.Days31To60 => this with { Days31To60 = Days31To60 + amount },
        AgingBucket.Days61To90 => this with { Days61To90 = Days61To90 + amount },
        _ => this with { Over90 = Over90 + amount },
    };
}

/// <summary>An invoice's amount still owed at a date, with its due date.</summary>
public sealed record OutstandingInvoice(Guid CustomerId, DateTimeOffset DueDate, decimal Outstanding);

/// <summary>Aging and DSO: plain arithmetic over outstanding invoices, counted in whole UTC days.</summary>
public static class ReceivablesMath
{
    /// <summary>Not yet due is current; one day past the due date is 1-30, and so on; more than 90 days is 90+.</summary>
    public static AgingBucket BucketOf(DateTimeOffset dueDate, DateOnly asOf)
    {
        var days = asOf.DayNumber - DateOnly.FromDateTime(dueDate.UtcDateTime).DayNumber;
        return days switch
        {
            <= 0 => AgingBucket.Current,
            <= 30 => AgingBucket.Days1To30,
            <= 60 => AgingBucket.Days31To60,
            <= 90 => AgingBucket.Days61To90,
            _ => AgingBucket.Over90,
        };
    }

    /// <summary>Buckets per customer and in total.</summary>
    public static (AgingBuckets Total, IReadOnlyDictionary<Guid, AgingBuckets> PerCustomer) Age(IEnumerable<OutstandingInvoice> invoices, DateOnly asOf)
    {
        var total = AgingBuckets.Empty;
        var perCustomer = new SortedDictionary<Guid, AgingBuckets>();
        foreach (var invoice in invoices.Where(i => i.Outstanding > 0))
        {
            var bucket = BucketOf(invoice.DueDate, asOf);
            total = total.Add(bucket, invoice.Outstanding);
            perCustomer[invoice.CustomerId] = perCustomer.GetValueOrDefault(invoice.CustomerId, AgingBuckets.Empty).Add(bucket, invoice.Outstanding);
        }

        return (total, perCustomer);
    }

    /// <summary>Days sales outstanding: receivables / credit sales × days; zero without credit sales.</summary>
    public static double Dso(decimal receivables, decimal creditSales, int days) =>
        creditSales <= 0 ? 0d : Math.Round((double)(receivables / creditSales * days), 2);
}
