using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit.Billing.Consumption;

public sealed class ChargePlanTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 31, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A signed contract of the lines, its discounts taking <paramref name="discount"/> off the subtotal.</summary>
    internal static Contract Signed(PaymentMode mode, decimal discount, int termMonths, params (string Code, FeeKind Kind, int Quantity, decimal UnitPrice)[] lines)
    {
        var items = lines.Select(l => LineItem.Price(new FeeItem { Code = l.Code, Name = l.Code, Kind = l.Kind }, l.Quantity, l.UnitPrice, termMonths)).ToList();
        var subtotal = items.Sum(i => i.LineTotal);
        var contract = new Contract
        {
            Id = Guid.NewGuid(),
            CustomerId = Guid.NewGuid(),
            Currency = "CNY",
            CreatedBy = "test",
            TermMonths = termMonths,
            Items = items,
            Discounts = discount > 0 ? [new RecordedDiscount { Kind = DiscountKind.NewCustomer, Code = "new", Description = "new", Amount = discount }] : [],
            Subtotal = subtotal,
            DiscountTotal = discount,
            Total = subtotal - discount,
            Terms = new ContractTerms { Start = Start, PaymentMode = mode },
        };
        contract.Sign(new Signature { Party = SignatureParty.Customer, SignerName = "a", RecordedBy = "a", SignedAt = Start.AddDays(-3) });
        contract.Sign(new Signature { Party = SignatureParty.Company, SignerName = "b", RecordedBy = "b", SignedAt = Start.AddDays(-3) });
        return contract;
    }

    private static Contract Crm(PaymentMode mode = PaymentMode.Prepaid, decimal discount = 77.77m) =>
        Signed(mode, discount, 12, ("crm.setup", FeeKind.OneTime, 1, 1000m), ("crm.seat", FeeKind.RecurringMonthly, 3, 33.33m));

    [Fact]
    public void Initial_fee_once_and_every_month_of_the_term_sum_to_the_contract_total_to_the_cent()
    {
        var contract = Crm();

        var plan = ChargePlan.Of(contract);

        Assert.Equal(13, plan.Count);
        Assert.Equal(contract.Total, plan.Sum(c => c.Amount));
        var initial = Assert.Single(plan, c => c.Period == ChargePlan.InitialPeriod);
        Assert.Equal(("crm.setup", Start), (initial.FeeItemCode, initial.DueAt));
        var months = plan.Where(c => c.FeeItemCode == "crm.seat").ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(ChargePlan.MonthPeriod), months.Select(c => c.Period));
        // Month n is due n - 1 months after the start (a start on the 31st falls on the month's last day).
        Assert.Equal(Enumerable.Range(0, 12).Select(n => Start.AddMonths(n)), months.Select(c => c.DueAt));
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 9, 0, 0, TimeSpan.Zero), months[1].DueAt);
        Assert.All(plan, c => Assert.Equal(c.Amount, decimal.Round(c.Amount, 2)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Any_contract_s_scheduled_charges_sum_to_its_total(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var term = random.Next(1, 37);
            var lines = Enumerable.Range(0, random.Next(1, 5))
                .Select(i => ($"item{i}", i == 0 ? FeeKind.OneTime : FeeKind.RecurringMonthly, random.Next(1, 60), random.Next(1, 100_000) / 100m))
                .ToArray();
            var subtotal = Signed(PaymentMode.Prepaid, 0m, term, lines).Subtotal;
            var contract = Signed(PaymentMode.Prepaid, decimal.Round(subtotal * random.Next(0, 26) / 100m, 2), term, lines);

            var plan = ChargePlan.Of(contract);

            Assert.Equal(contract.Total, plan.Sum(c => c.Amount));
            Assert.All(plan, c => Assert.True(c.Amount > 0));
            Assert.Equal(1 + (lines.Length - 1) * term, plan.Count);
        }
    }

    [Fact]
    public void Charges_fall_due_month_by_month_and_nothing_after_the_term()
    {
        var contract = Crm();
        var none = new HashSet<string>();

        Assert.Empty(ChargePlan.Due(contract, Start.AddTicks(-1), none));
        Assert.Equal([ChargePlan.InitialPeriod, "month-001"], ChargePlan.Due(contract, Start, none).Select(d => d.Charge.Period));
        Assert.Equal(3, ChargePlan.Due(contract, Start.AddMonths(1), none).Count);
        Assert.Equal(13, ChargePlan.Due(contract, Start.AddMonths(11), none).Count);
        Assert.Equal(13, ChargePlan.Due(contract, Start.AddYears(5), none).Count);
        Assert.All(ChargePlan.Due(contract, Start.AddYears(5), none), d => Assert.Equal(ChargeDecision.Charge, d.Decision));
    }

    [Fact]
    public void A_settled_charge_is_never_due_again()
    {
        var contract = Crm();
        var settled = new HashSet<string> { ChargePlan.Key("crm.setup", ChargePlan.InitialPeriod), ChargePlan.Key("crm.seat", "month-001") };

        var due = ChargePlan.Due(contract, Start.AddMonths(1), settled);

        Assert.Equal(["month-002"], due.Select(d => d.Charge.Period));
    }

    [Theory]
    [InlineData(PaymentMode.Installments)]
    [InlineData(PaymentMode.Milestones)]
    public void Installment_and_milestone_contracts_are_not_charged_from_prepaid(PaymentMode mode) =>
        Assert.Empty(ChargePlan.Due(Crm(mode), Start.AddYears(1), new HashSet<string>()));

    [Fact]
    public void A_draft_contract_is_not_charged()
    {
        var draft = new Contract { Id = Guid.NewGuid(), Currency = "CNY", CreatedBy = "t", TermMonths = 1, Terms = new ContractTerms { Start = Start } };

        Assert.Empty(ChargePlan.Due(draft, Start.AddYears(1), new HashSet<string>()));
    }

    [Fact]
    public void Months_due_while_suspended_are_waived_and_those_before_are_charged()
    {
        var contract = Crm();
        contract.Suspend("overdue", Start.AddMonths(2).AddDays(-1));

        var due = ChargePlan.Due(contract, Start.AddMonths(4), new HashSet<string>());

        Assert.Equal(["initial", "month-001", "month-002"], due.Where(d => d.Decision == ChargeDecision.Charge).Select(d => d.Charge.Period));
        Assert.Equal(["month-003", "month-004", "month-005"], due.Where(d => d.Decision == ChargeDecision.Waive).Select(d => d.Charge.Period));
    }

    [Fact]
    public void After_termination_nothing_more_is_charged()
    {
        var contract = Crm();
        contract.Terminate("ended", Start.AddMonths(3).AddDays(-1));

        var due = ChargePlan.Due(contract, Start.AddMonths(8), new HashSet<string>());

        Assert.Equal(["initial", "month-001", "month-002", "month-003"], due.Select(d => d.Charge.Period));
        Assert.All(due, d => Assert.Equal(ChargeDecision.Charge, d.Decision));
    }

    [Fact]
    public void Usage_lines_are_left_to_usage_and_priced_with_the_contract_s_discount_ratio()
    {
        var contract = Signed(PaymentMode.Prepaid, 120m, 6,
            ("crm.setup", FeeKind.OneTime, 1, 500m), ("crm.seat", FeeKind.RecurringMonthly, 1, 100m), ("crm.sms", FeeKind.Usage, 1000, 0.1m));
        // Subtotal 500 + 600 + 100 = 1200, total 1080: 90% of list.

        Assert.Equal(990m, ChargePlan.ScheduledTotal(contract));
        Assert.Equal(990m, ChargePlan.Of(contract).Sum(c => c.Amount));
        Assert.DoesNotContain(ChargePlan.Of(contract), c => c.Kind == FeeKind.Usage);
        Assert.Equal(new UsagePrice(22.5m, null), UsagePricing.Of(contract, [], "crm.sms", 250, contract.Terms.Start.AddDays(3), []));
        Assert.Equal(25m, UsagePricing.OfSigningPrice(0.1m, 250));
    }

    [Fact]
    public void Usage_is_refused_for_a_suspended_or_terminated_contract()
    {
        var contract = Crm();
        UsagePricing.RequireActive(contract);

        contract.Suspend("overdue", Start);
        Assert.Equal("ENTITLEMENT_NOT_ACTIVE", Assert.Throws<PreconditionFailedException>(() => UsagePricing.RequireActive(contract)).Reason);
        contract.Terminate("ended", Start);
        Assert.Equal("ENTITLEMENT_NOT_ACTIVE", Assert.Throws<PreconditionFailedException>(() => UsagePricing.RequireActive(contract)).Reason);
    }
}
