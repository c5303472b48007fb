using Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Consumption.Domain;

/// <summary>How a charge was settled.</summary>
public enum ChargeSettlement
{
    /// <summary>Taken from the customer's prepaid money (prepaid → revenue).</summary>
    Prepaid = 1,

    /// <summary>The balance did not cover it: billed on an invoice of its own (receivable → revenue).</summary>
    Invoice = 2,

    /// <summary>Not charged: the contract was suspended at the charge date.</summary>
    Waived = 3,
}

/// <summary>
/// A charge of a contract's fee item for one period, recorded once: the contract, fee item and period identify it, so
/// the schedule running again, on another replica or after a crash finds it and does not charge twice.
/// </summary>
public sealed class ContractCharge
{
    public Guid Id { get; init; }

    public Guid ContractId { get; init; }

    public Guid CustomerId { get; init; }

    public required string FeeItemCode { get; init; }

    public FeeKind Kind { get; init; }

    public required string Period { get; init; }

    public int Quantity { get; init; }

    public decimal Amount { get; init; }

    public required string Currency { get; init; }

    /// <summary>When the charge fell due (for usage: when it occurred).</summary>
    public DateTimeOffset DueAt { get; init; }

    public ChargeSettlement Settlement { get; init; }

    /// <summary>The ledger transfer that took it from prepaid money.</summary>
    public Guid? TransferId { get; init; }

    /// <summary>The invoice that bills it when prepaid money did not cover it.</summary>
    public Guid? InvoiceId { get; init; }

    public DateTimeOffset ChargedAt { get; init; }
}
