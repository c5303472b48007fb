using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Commerce.Domain;

namespace Platform.Tests.Unit.Billing.Consumption;

/// <summary>The schedule following signed amendments, the price list and renewal (ChargePlan with a ChargeBasis).</summary>
public sealed class AmendedChargePlanTests
{
    // The start ChargePlanTests.Signed gives its contracts.
    private static readonly DateTimeOffset Start = new(2026, 1, 31, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Far = Start.AddYears(5);

    /// <summary>12 months: one setup at 1000, three seats at 33.33 a month, 77.77 off.</summary>
    private static Contract Crm(bool followsList = false, bool autoRenew = false)
    {
        var contract = ChargePlanTests.Signed(PaymentMode.Prepaid, 77.77m, 12, ("crm.setup", FeeKind.OneTime, 1, 1000m), ("crm.seat", FeeKind.RecurringMonthly, 3, 33.33m));
        contract.Terms.PriceFollowsList = followsList;
        contract.Terms.AutoRenew = autoRenew;
        return contract;
    }

    /// <summary>An amendment of the lines priced over the contract's term, as ContractService.AmendAsync makes one.</summary>
    internal static Amendment Amend(Contract contract, int sequence, DateTimeOffset? signedAt, params (string Code, FeeKind Kind, int Quantity, decimal UnitPrice)[] lines)
    {
        var items = lines.Select(l => LineItem.Price(new FeeItem { Code = l.Code, Name = l.Code, Kind = l.Kind }, l.Quantity, l.UnitPrice, contract.TermMonths)).ToList();
        var amendment = new Amendment { Id = Guid.NewGuid(), ContractId = contract.Id, Sequence = sequence, Items = items, Total = items.Sum(i => i.LineTotal) };
        if (signedAt is { } at)
        {
            amendment.Sign(new Signature { Party = SignatureParty.Customer, SignerName = "a", RecordedBy = "a", SignedAt = at });
            amendment.Sign(new Signature { Party = SignatureParty.Company, SignerName = "b", RecordedBy = "b", SignedAt = at });
        }

        return amendment;
    }

    internal static PriceList List(int version, DateTimeOffset effective, params (string Code, decimal Price)[] prices) => new()
    {
        Id = Guid.NewGuid(),
        Version = version,
        Currency = "CNY",
        EffectiveFrom = effective,
        ScheduledAt = effective.AddDays(-30),
        Entries = prices.Select(p => new PriceListEntry { FeeItemCode = p.Code, UnitPrice = p.Price }).ToList(),
    };

    private static ChargeBasis With(params Amendment[] amendments) => new(amendments, [], false);

    [Fact]
    public void Without_an_amendment_or_a_price_change_the_schedule_is_the_contract_s_alone_to_the_cent()
    {
        var contract = Crm(autoRenew: true);
        // The list the contract was signed under, and a later version that changes other items only.
        var lists = new[] { List(1, Start.AddDays(-40), ("crm.setup", 1000m), ("crm.seat", 33.33m)), List(2, Start.AddMonths(2), ("other.seat", 9m)) };

        var plan = ChargePlan.Of(contract, new ChargeBasis([], lists, ChargeRenewedTerms: false), Far);

        Assert.Equal(ChargePlan.Of(contract), plan);
        Assert.Equal(contract.Total, plan.Sum(c => c.Amount));
        Assert.All(plan, c => Assert.Null(c.AmendmentId));
        foreach (var now in new[] { Start, Start.AddMonths(4).AddDays(3), Far })
        {
            Assert.Equal(ChargePlan.Due(contract, now, new HashSet<string>()), ChargePlan.Due(contract, new ChargeBasis([], lists, false), now, new HashSet<string>()));
        }
    }

    [Fact]
    public void An_amendment_adding_a_monthly_item_mid_term_charges_it_from_the_first_month_starting_after_its_signing_to_the_end_of_the_term()
    {
        var contract = Crm();
        var signedAt = Start.AddMonths(3).AddDays(5); // within month 4
        var amendment = Amend(contract, 1, signedAt, ("crm.backup", FeeKind.RecurringMonthly, 2, 10m));

        var plan = ChargePlan.Of(contract, With(amendment), Far);

        var backup = plan.Where(c => c.FeeItemCode == "crm.backup").ToList();
        Assert.Equal(Enumerable.Range(5, 8).Select(ChargePlan.MonthPeriod), backup.Select(c => c.Period));
        Assert.Equal(Enumerable.Range(4, 8).Select(n => Start.AddMonths(n)), backup.Select(c => c.DueAt));
        Assert.All(backup, c => Assert.Equal((2, 20m, amendment.Id), (c.Quantity, c.Amount, c.AmendmentId)));
        // The contract's own charges stay as they were, and the total grows by exactly the months charged.
        Assert.Equal(ChargePlan.Of(contract), plan.Where(c => c.FeeItemCode != "crm.backup"));
        Assert.Equal(contract.Total + 8 * 20m, plan.Sum(c => c.Amount));
        Assert.DoesNotContain(ChargePlan.Due(contract, With(amendment), signedAt, new HashSet<string>()), d => d.Charge.FeeItemCode == "crm.backup");
    }

    [Fact]
    public void An_amendment_changing_an_item_s_quantity_takes_over_from_month_k_and_months_already_due_keep_the_old_line()
    {
        var contract = Crm();
        var first = Amend(contract, 1, Start.AddMonths(5), ("crm.seat", FeeKind.RecurringMonthly, 5, 33.33m)); // month 6's first day
        var second = Amend(contract, 2, Start.AddMonths(8).AddDays(-1), ("crm.seat", FeeKind.RecurringMonthly, 1, 35m)); // just before month 9

        var seats = ChargePlan.Of(contract, With(second, first), Far).Where(c => c.FeeItemCode == "crm.seat").ToList();

        var before = ChargePlan.Of(contract).Where(c => c.FeeItemCode == "crm.seat").ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(ChargePlan.MonthPeriod), seats.Select(c => c.Period)); // one charge a month, same keys
        Assert.Equal(before.Take(5), seats.Take(5));
        Assert.All(seats.Skip(5).Take(3), c => Assert.Equal((5, 166.65m, first.Id), (c.Quantity, c.Amount, c.AmendmentId)));
        Assert.All(seats.Skip(8), c => Assert.Equal((1, 35m, second.Id), (c.Quantity, c.Amount, c.AmendmentId)));

        // A month already charged under the old line (a rerun, a replica) is never charged again under the new one.
        var settled = new HashSet<string> { ChargePlan.Key("crm.setup", ChargePlan.InitialPeriod) };
        settled.UnionWith(Enumerable.Range(1, 6).Select(n => ChargePlan.Key("crm.seat", ChargePlan.MonthPeriod(n))));
        var due = ChargePlan.Due(contract, With(first, second), Start.AddMonths(6), settled);
        Assert.Equal([("month-007", 5)], due.Select(d => (d.Charge.Period, d.Charge.Quantity)));
    }

    [Fact]
    public void An_added_one_time_item_is_charged_once_when_the_amendment_is_signed_or_at_the_start_if_later()
    {
        var contract = Crm();
        var early = Amend(contract, 1, Start.AddDays(-2), ("crm.training", FeeKind.OneTime, 2, 250m));
        var later = Amend(contract, 2, Start.AddDays(40), ("crm.setup", FeeKind.OneTime, 1, 800m), ("crm.import", FeeKind.OneTime, 1, 99.99m));

        var plan = ChargePlan.Of(contract, With(early, later), Far);

        var oneTime = plan.Where(c => c.Kind == FeeKind.OneTime).Select(c => (c.FeeItemCode, c.Period, c.DueAt, c.Amount, c.AmendmentId)).ToList();
        Assert.Equal(
            [("crm.setup", "initial", Start, ChargePlan.Of(contract)[0].Amount, (Guid?)null), ("crm.training", "amendment-001", Start, 500m, early.Id),
             ("crm.import", "amendment-002", Start.AddDays(40), 99.99m, later.Id), ("crm.setup", "amendment-002", Start.AddDays(40), 800m, later.Id)],
            oneTime);
        Assert.Equal(plan.Count, plan.Select(c => ChargePlan.Key(c.FeeItemCode, c.Period)).Distinct().Count());
        Assert.Equal(contract.Total + 500m + 899.99m, plan.Sum(c => c.Amount));
    }

    [Fact]
    public void An_unsigned_amendment_changes_nothing()
    {
        var contract = Crm();
        var unsigned = Amend(contract, 1, null, ("crm.seat", FeeKind.RecurringMonthly, 9, 33.33m), ("crm.training", FeeKind.OneTime, 1, 500m));
        var halfSigned = Amend(contract, 2, null, ("crm.backup", FeeKind.RecurringMonthly, 1, 10m));
        halfSigned.Sign(new Signature { Party = SignatureParty.Customer, SignerName = "a", RecordedBy = "a", SignedAt = Start.AddDays(3) });
        var otherContract = Amend(Crm(), 1, Start.AddDays(3), ("crm.backup", FeeKind.RecurringMonthly, 1, 10m));

        Assert.Equal(ChargePlan.Of(contract), ChargePlan.Of(contract, With(unsigned, halfSigned, otherContract), Far));
    }

    [Fact]
    public void A_contract_following_the_list_takes_two_price_changes_from_the_first_month_starting_on_or_after_their_effective_dates()
    {
        var contract = Crm(followsList: true);
        var ratio = contract.Total / contract.Subtotal;
        var lists = new[]
        {
            List(1, Start.AddDays(-40), ("crm.setup", 1000m), ("crm.seat", 33.33m)),
            List(2, Start.AddMonths(2).AddDays(10), ("crm.seat", 40m)), // within month 3: month 4 pays it
            List(3, Start.AddMonths(6), ("crm.seat", 45m)), // month 7's first day
        };

        var seats = ChargePlan.Of(contract, new ChargeBasis([], lists, false), Far).Where(c => c.FeeItemCode == "crm.seat").ToList();

        var agreed = ChargePlan.Of(contract).Where(c => c.FeeItemCode == "crm.seat").ToList();
        Assert.Equal(agreed.Take(3), seats.Take(3));
        Assert.All(seats.Skip(3).Take(3), c => Assert.Equal(decimal.Round(40m * 3 * ratio, 2, MidpointRounding.AwayFromZero), c.Amount));
        Assert.All(seats.Skip(6), c => Assert.Equal(decimal.Round(45m * 3 * ratio, 2, MidpointRounding.AwayFromZero), c.Amount));
        Assert.Equal(12, seats.Count);
        // The same prices ContractPricing gives for each billing cycle.
        var terms = new ContractPriceTerms(Start, 12, false, true, new Dictionary<string, decimal> { ["crm.seat"] = 33.33m });
        Assert.Equal([33.33m, 33.33m, 33.33m, 40m, 40m, 40m, 45m, 45m, 45m, 45m, 45m, 45m],
            seats.Select(c => ContractPricing.MonthlyChargeFor(terms, "crm.seat", c.DueAt.AddDays(3), lists)));
        // A contract that does not follow the list keeps its agreed price through the term.
        var keeps = Crm();
        Assert.Equal(ChargePlan.Of(keeps), ChargePlan.Of(keeps, new ChargeBasis([], lists, false), Far));
    }

    [Fact]
    public void An_auto_renewing_contract_is_charged_at_the_renewal_price_after_renewal()
    {
        var contract = Crm(autoRenew: true);
        var ratio = contract.Total / contract.Subtotal;
        var lists = new[] { List(1, Start.AddDays(-40), ("crm.setup", 1000m), ("crm.seat", 33.33m)), List(2, Start.AddMonths(3), ("crm.seat", 50m)) };
        var basis = new ChargeBasis([], lists, ChargeRenewedTerms: true);

        var plan = ChargePlan.Of(contract, basis, Start.AddMonths(14));

        // The first term keeps the agreed price (the contract does not follow the list) and sums to the contract total.
        Assert.Equal(ChargePlan.Of(contract), plan.Where(c => c.DueAt < contract.End));
        var renewed = plan.Where(c => c.DueAt >= contract.End).ToList();
        Assert.Equal(["month-013", "month-014", "month-015"], renewed.Select(c => c.Period));
        Assert.Equal(Enumerable.Range(12, 3).Select(n => Start.AddMonths(n)), renewed.Select(c => c.DueAt));
        Assert.All(renewed, c => Assert.Equal((3, decimal.Round(50m * 3 * ratio, 2, MidpointRounding.AwayFromZero)), (c.Quantity, c.Amount)));
        Assert.Equal(["month-013", "month-014", "month-015"],
            ChargePlan.Due(contract, basis, Start.AddMonths(14), ChargePlan.Of(contract).Select(c => ChargePlan.Key(c.FeeItemCode, c.Period)).ToHashSet())
                .Select(d => d.Charge.Period));
        // Renewed terms are not charged unless asked for, nor for a contract that does not renew.
        Assert.Equal(ChargePlan.Of(contract), ChargePlan.Of(contract, basis with { ChargeRenewedTerms = false }, Far));
        var once = Crm();
        Assert.Equal(ChargePlan.Of(once), ChargePlan.Of(once, basis, Far));
    }
}
