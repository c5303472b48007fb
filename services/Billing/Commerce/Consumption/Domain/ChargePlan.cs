using Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Consumption.Domain;

/// <summary>One charge a contract's terms call for: a fee item for one period, due on a date, at an amount.</summary>
/// <param name="Period"><see cref="ChargePlan.InitialPeriod"/>, a <see cref="ChargePlan.MonthPeriod"/> or a usage period.</param>
public sealed record PlannedCharge(string FeeItemCode, FeeKind Kind, string Period, int Quantity, DateTimeOffset DueAt, decimal Amount);

/// <summary>What the schedule does with a charge that is due: charge it, or waive it for good.</summary>
public enum ChargeDecision
{
    Charge = 1,
    Waive = 2,
}

public sealed record DueCharge(PlannedCharge Charge, ChargeDecision Decision);

/// <summary>
/// The charges of a prepaid contract's service, from the contract alone (a signed contract keeps its price, so the
/// current price list is never read):
/// <list type="bullet">
/// <item>each one-time (initial) fee item once, due when the service starts (the contract's start);</item>
/// <item>each monthly fee item once per service month: month n (1-based) is due at start + (n - 1) months, for the
/// item's months (the term), so the last month of the term is charged and nothing after it;</item>
/// <item>the contract's recorded discounts spread over these charges in proportion to their list amounts, so the
/// charges over the whole term sum to the contract total to the cent; the last charge (by due date, then fee kind, then fee item
/// code) absorbs the rounding. Extra-service (usage) lines are not scheduled: they are charged when used, at the
/// contract's unit price with the same discount ratio, and their share of the total is left out of the schedule.</item>
/// </list>
/// Only prepaid (one-off) contracts are scheduled: an installment contract's invoices already bill the contract total
/// as revenue, and a milestone contract's holds recognize it on release, so charging either from prepaid money would
/// count the same service twice.
/// </summary>
public static class ChargePlan
{
    public const string InitialPeriod = "initial";

    /// <summary>The period of service month <paramref name="month"/> (1-based): month-001, month-002, ...</summary>
    public static string MonthPeriod(int month) => $"month-{month:000}";

    /// <summary>The period of one recorded usage, named by its request id.</summary>
    public static string UsagePeriod(string requestId) => "usage:" + requestId;

    public static bool IsScheduled(Contract contract) =>
        contract.State == ContractState.Signed && contract.Terms.PaymentMode == PaymentMode.Prepaid;

    /// <summary>Every scheduled charge of the contract over its term, earliest first; charges of zero are left out.</summary>
    public static IReadOnlyList<PlannedCharge> Of(Contract contract)
    {
        var start = contract.Terms.Start;
        var gross = new List<PlannedCharge>();
        foreach (var line in contract.Items)
        {
            var perPeriod = line.UnitPrice * line.Quantity;
            if (line.Kind == FeeKind.OneTime)
            {
                gross.Add(new PlannedCharge(line.FeeItemCode, line.Kind, InitialPeriod, line.Quantity, start, perPeriod));
            }
            else if (line.Kind == FeeKind.RecurringMonthly)
            {
                for (var month = 1; month <= line.Months; month++)
                {
                    gross.Add(new PlannedCharge(line.FeeItemCode, line.Kind, MonthPeriod(month), line.Quantity, start.AddMonths(month - 1), perPeriod));
                }
            }
        }

        gross = gross.OrderBy(c => c.DueAt).ThenBy(c => c.Kind).ThenBy(c => c.FeeItemCode, StringComparer.Ordinal).ToList();
        var weight = gross.Sum(c => c.Amount);
        var target = ScheduledTotal(contract);
        if (weight <= 0 || target <= 0)
        {
            return [];
        }

        var charges = new List<PlannedCharge>(gross.Count);
        var left = target;
        for (var i = 0; i < gross.Count; i++)
        {
            var amount = i == gross.Count - 1 ? left : DiscountStacking.Cents(gross[i].Amount * target / weight);
            left -= amount;
            charges.Add(gross[i] with { Amount = amount });
        }

        return charges.Where(c => c.Amount > 0).ToList();
    }

    /// <summary>
    /// What the schedule charges over the term: the contract total, less the discounted share of its usage lines (those
    /// are charged when used).
    /// </summary>
    public static decimal ScheduledTotal(Contract contract)
    {
        var usage = contract.Items.Where(i => i.Kind == FeeKind.Usage).Sum(i => i.LineTotal);
        return usage == 0 || contract.Subtotal <= 0
            ? contract.Total
            : DiscountStacking.Cents(contract.Total * (contract.Subtotal - usage) / contract.Subtotal);
    }

    /// <summary>
    /// The charges due at <paramref name="now"/> not yet settled (charged or waived; keys from <see cref="Key"/>), with
    /// what to do with each. The rule for the entitlement, decided from the contract as it is at <paramref name="now"/>:
    /// <list type="bullet">
    /// <item>active: every due charge is charged (also months that fell due while the job did not run);</item>
    /// <item>suspended: a charge due before the suspension is charged; one due at or after it is waived, and stays
    /// waived after the contract resumes (the customer is not charged for months it was suspended at the charge
    /// date); a resumed contract is charged again from its next due charge;</item>
    /// <item>terminated: a charge due before the termination is charged; later ones are never charged (nor recorded).</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<DueCharge> Due(Contract contract, DateTimeOffset now, IReadOnlySet<string> settled)
    {
        if (!IsScheduled(contract))
        {
            return [];
        }

        var changedAt = contract.EntitlementChangedAt ?? DateTimeOffset.MinValue;
        var due = new List<DueCharge>();
        foreach (var charge in Of(contract).Where(c => c.DueAt <= now && !settled.Contains(Key(c.FeeItemCode, c.Period))))
        {
            var decision = contract.Entitlement switch
            {
                EntitlementState.Active => ChargeDecision.Charge,
                _ when charge.DueAt < changedAt => ChargeDecision.Charge,
                EntitlementState.Suspended => ChargeDecision.Waive,
                _ => (ChargeDecision?)null,
            };
            if (decision is { } d)
            {
                due.Add(new DueCharge(charge, d));
            }
        }

        return due;
    }

    /// <summary>The identity of a charge within its contract: fee item and period.</summary>
    public static string Key(string feeItemCode, string period) => feeItemCode + "|" + period;
}
