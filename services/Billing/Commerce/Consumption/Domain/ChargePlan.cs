using Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Consumption.Domain;

/// <summary>One charge a contract's terms call for: a fee item for one period, due on a date, at an amount.</summary>
/// <param name="Period"><see cref="ChargePlan.InitialPeriod"/>, a <see cref="ChargePlan.MonthPeriod"/>, an
/// <see cref="ChargePlan.AmendmentPeriod"/> or a usage period.</param>
/// <param name="AmendmentId">The signed amendment whose line the charge follows; null for the contract's own lines and usage.</param>
public sealed record PlannedCharge(string FeeItemCode, FeeKind Kind, string Period, int Quantity, DateTimeOffset DueAt, decimal Amount,
    Guid? AmendmentId = null);

/// <summary>
/// What a contract's schedule follows besides the contract: its amendments (only the signed ones count), the price list
/// versions (for a contract that follows the list, and for renewal prices), and whether renewed terms are charged.
/// </summary>
public sealed record ChargeBasis(IReadOnlyList<Amendment> Amendments, IReadOnlyList<PriceList> PriceLists, bool ChargeRenewedTerms)
{
    /// <summary>The contract alone, first term only: the schedule as it was before amendments and prices were followed.</summary>
    public static ChargeBasis ContractOnly { get; } = new([], [], false);
}

/// <summary>What the schedule does with a charge that is due: charge it, or waive it for good.</summary>
public enum ChargeDecision
{
    Charge = 1,
    Waive = 2,
}

public sealed record DueCharge(PlannedCharge Charge, ChargeDecision Decision);

/// <summary>
/// The charges of a prepaid contract's service. <see cref="Of(Contract)"/> plans the first term from the contract alone:
/// <list type="bullet">
/// <item>each one-time (initial) fee item once, due when the service starts (the contract's start);</item>
/// <item>each monthly fee item once per service month: month n (1-based) is due at start + (n - 1) months, for the
/// item's months (the term), so the last month of the term is charged and nothing after it;</item>
/// <item>the contract's recorded discounts spread over these charges in proportion to their list amounts, so the
/// charges over the whole term sum to the contract total to the cent; the last charge (by due date, then fee kind, then fee item
/// code) absorbs the rounding. Extra-service (usage) lines are not scheduled: they are charged when used (priced by
/// <see cref="UsagePricing"/>), and their share of the total is left out of the schedule.</item>
/// </list>
/// <see cref="Of(Contract, ChargeBasis, DateTimeOffset)"/> changes that plan by what the contract's terms make of time:
/// <list type="bullet">
/// <item><b>Signed amendments</b> (an unsigned one charges nothing). The line of a monthly fee item for service month n
/// is that of the last amendment (by signing time, then sequence) signed on or before the month's first day that lists
/// the item, else the contract's own: an amendment's new monthly item is charged from the first service month starting on
/// or after its signing, and a changed one (same fee item code) takes the amendment's quantity and price from that month
/// on, while months that fell due before keep the line they had. The month keeps its period (month-NNN) whichever line
/// it follows, so a month is one charge of its fee item: one already charged is never charged again, and a replacement
/// line gets only the months not yet charged. An amendment's one-time line orders that one-off service once more: it is
/// its own charge, due when the amendment was signed (or at the contract's start if later), period amendment-NNN (the
/// amendment's sequence); it never replaces the contract's initial fee.</item>
/// <item><b>Amendment prices and discounts.</b> An amendment is priced at the published list of its day with no discount
/// (ContractService.AmendAsync records none; Amendment.Total is the plain sum of its lines over a full term), so its lines
/// are charged at their own unit price, without the contract's discount ratio, and only for the months left when it is
/// signed: what the schedule charges for it is not Amendment.Total unless it was signed before the start.</item>
/// <item><b>Price list.</b> Each month is charged at the unit price <see cref="ContractPricing.PriceOn"/> gives for the
/// month's first day with the line's price as the agreed one: a contract whose terms say it follows the list takes a later
/// version from its effective date; any other keeps the agreed price until a renewal. A contract line charged at a price
/// other than its agreed one pays that price times the contract's discount ratio (total over subtotal, as usage does);
/// a month at the agreed price keeps its share of the contract total, so a contract without a signed amendment and
/// without a price change is charged exactly as <see cref="Of(Contract)"/> plans, to the cent.</item>
/// <item><b>Renewal.</b> With <see cref="ChargeBasis.ChargeRenewedTerms"/>, an auto-renewing contract's months go on past
/// the first term (month-013 is the first month of the second term of a 12-month contract), each at the renewal price: the
/// list in effect on the renewal date (or the contract's agreed price when no version prices the item), times the
/// discount ratio. Without it (the default) the schedule ends with the first term, as the prepayment asked for covers one
/// term only.</item>
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

    /// <summary>The period of the one-time lines of amendment <paramref name="sequence"/>: amendment-001, ...</summary>
    public static string AmendmentPeriod(int sequence) => $"amendment-{sequence:000}";

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
    /// Every scheduled charge of the contract due up to <paramref name="through"/> (a renewing schedule has no end),
    /// following <paramref name="basis"/>: signed amendments, price list versions, renewed terms (see the class); earliest
    /// first, charges of zero left out.
    /// </summary>
    public static IReadOnlyList<PlannedCharge> Of(Contract contract, ChargeBasis basis, DateTimeOffset through)
    {
        var start = contract.Terms.Start;
        var firstTerm = Of(contract);
        var shares = firstTerm.Where(c => c.Kind == FeeKind.RecurringMonthly).ToDictionary(c => Key(c.FeeItemCode, c.Period), c => c.Amount);
        var ratio = UsagePricing.DiscountRatio(contract);
        var amendments = basis.Amendments.Where(a => a.ContractId == contract.Id && a.SignedAt is not null)
            .OrderBy(a => a.SignedAt).ThenBy(a => a.Sequence).ToList();

        var charges = firstTerm.Where(c => c.Kind == FeeKind.OneTime).ToList();
        foreach (var amendment in amendments)
        {
            var due = amendment.SignedAt!.Value > start ? amendment.SignedAt.Value : start;
            charges.AddRange(amendment.Items.Where(i => i.Kind == FeeKind.OneTime).Select(line =>
                new PlannedCharge(line.FeeItemCode, line.Kind, AmendmentPeriod(amendment.Sequence), line.Quantity, due,
                    DiscountStacking.Cents(line.UnitPrice * line.Quantity), amendment.Id)));
        }

        var codes = contract.Items.Concat(amendments.SelectMany(a => a.Items)).Where(i => i.Kind == FeeKind.RecurringMonthly)
            .Select(i => i.FeeItemCode).Distinct().ToList();
        var renews = basis.ChargeRenewedTerms && contract.Terms.AutoRenew && contract.TermMonths > 0;
        for (var month = 1; renews ? start.AddMonths(month - 1) <= through : month <= contract.TermMonths; month++)
        {
            var first = start.AddMonths(month - 1);
            foreach (var code in codes)
            {
                if (MonthlyCharge(contract, amendments, code, month, first, basis.PriceLists, shares, ratio) is { } charge)
                {
                    charges.Add(charge);
                }
            }
        }

        return charges.Where(c => c.DueAt <= through && c.Amount > 0)
            .OrderBy(c => c.DueAt).ThenBy(c => c.Kind).ThenBy(c => c.FeeItemCode, StringComparer.Ordinal).ToList();
    }

    /// <summary>Service month <paramref name="month"/> of a monthly fee item: the line it follows, at the month's price.</summary>
    private static PlannedCharge? MonthlyCharge(Contract contract, List<Amendment> amendments, string code, int month, DateTimeOffset first,
        IReadOnlyList<PriceList> lists, Dictionary<string, decimal> shares, decimal ratio)
    {
        var amended = amendments.Where(a => a.SignedAt <= first)
            .Select(a => (Amendment: a, Line: a.Items.FirstOrDefault(i => i.FeeItemCode == code && i.Kind == FeeKind.RecurringMonthly)))
            .LastOrDefault(x => x.Line is not null);
        var line = amended.Line ?? contract.Items.FirstOrDefault(i => i.FeeItemCode == code && i.Kind == FeeKind.RecurringMonthly);
        if (line is null)
        {
            return null;
        }

        var terms = new ContractPriceTerms(contract.Terms.Start, contract.TermMonths, contract.Terms.AutoRenew, contract.Terms.PriceFollowsList,
            new Dictionary<string, decimal> { [code] = line.UnitPrice });
        var price = ContractPricing.PriceOn(terms, code, first, lists);
        var period = MonthPeriod(month);
        decimal amount;
        if (amended.Amendment is not null)
        {
            amount = DiscountStacking.Cents(price * line.Quantity);
        }
        else if (price == line.UnitPrice && month <= contract.TermMonths)
        {
            // The month's share of the contract total (zero shares were left out of the first-term plan).
            amount = shares.GetValueOrDefault(Key(code, period));
        }
        else
        {
            amount = DiscountStacking.Cents(price * line.Quantity * ratio);
        }

        return new PlannedCharge(code, FeeKind.RecurringMonthly, period, line.Quantity, first, amount, amended.Amendment?.Id);
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
    public static IReadOnlyList<DueCharge> Due(Contract contract, DateTimeOffset now, IReadOnlySet<string> settled) =>
        Due(contract, ChargeBasis.ContractOnly, now, settled);

    /// <summary>
    /// The charges of <see cref="Of(Contract, ChargeBasis, DateTimeOffset)"/> due at <paramref name="now"/> and not yet
    /// settled, each with what to do with it, by the entitlement rule of <see cref="Due(Contract, DateTimeOffset, IReadOnlySet{string})"/>.
    /// </summary>
    public static IReadOnlyList<DueCharge> Due(Contract contract, ChargeBasis basis, DateTimeOffset now, IReadOnlySet<string> settled)
    {
        if (!IsScheduled(contract))
        {
            return [];
        }

        var changedAt = contract.EntitlementChangedAt ?? DateTimeOffset.MinValue;
        var due = new List<DueCharge>();
        foreach (var charge in Of(contract, basis, now).Where(c => !settled.Contains(Key(c.FeeItemCode, c.Period))))
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
