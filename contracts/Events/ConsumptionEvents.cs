namespace Platform.Contracts.Events;

/// <summary>
/// A contract's fee item was charged for one period: its initial fee, a service month, or recorded usage of an extra
/// service. Settled from the customer's prepaid money, or, when that did not cover it, by an invoice of its own.
/// </summary>
/// <param name="Kind">one_time, recurring_monthly or usage.</param>
/// <param name="Period">initial, month-001 ... (service month n from the contract's start, renewed terms going on
/// from the first term's last), amendment-001 ... (the one-time lines of that amendment), or usage:&lt;request id&gt;.</param>
/// <param name="SettledBy">prepaid or invoice.</param>
/// <param name="TransferId">The ledger transfer (prepaid → revenue) when settled from prepaid money.</param>
/// <param name="InvoiceId">The invoice billing the charge when settled by invoice.</param>
/// <param name="AmendmentId">The signed amendment whose line was charged (an added or changed item); null for the
/// contract's own lines and for usage.</param>
public sealed record ContractCharged(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid ChargeId,
    Guid ContractId,
    Guid CustomerId,
    string FeeItemCode,
    string Kind,
    string Period,
    int Quantity,
    decimal Amount,
    string Currency,
    DateTimeOffset DueAt,
    string SettledBy,
    Guid? TransferId,
    Guid? InvoiceId,
    Guid? AmendmentId = null) : IIntegrationEvent;
