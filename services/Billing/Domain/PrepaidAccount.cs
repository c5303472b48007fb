namespace Platform.Billing.Domain;

/// <summary>
/// A customer's prepaid account: one per customer, one currency. It also carries the book's balances, so that a
/// transfer locks one row (FOR UPDATE) and updates it once; every balance equals the sum of its ledger entries.
/// </summary>
public sealed class PrepaidAccount
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset OpenedAt { get; init; }

    /// <summary>How far prepaid cash may go below zero (from the contract's terms; zero means no credit).</summary>
    public decimal CreditLimit { get; set; }

    public decimal PaymentsClearing { get; set; }

    public decimal PrepaidCash { get; set; }

    public decimal PromotionalCredit { get; set; }

    public decimal Held { get; set; }

    public decimal Receivable { get; set; }

    public decimal Revenue { get; set; }

    public decimal RefundsPayable { get; set; }

    public decimal RiskReserve { get; set; }

    public decimal Promotions { get; set; }

    /// <summary>When a transfer last changed the book (null: never).</summary>
    public DateTimeOffset? LastTransferAt { get; set; }
}
