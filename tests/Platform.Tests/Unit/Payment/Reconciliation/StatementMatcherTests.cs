using Platform.Payment.Reconciliation.Domain;

namespace Platform.Tests.Unit.Payment.Reconciliation;

public sealed class StatementMatcherTests
{
    private static readonly DateOnly Day = new(2026, 3, 10);
    private static readonly Guid StatementId = Guid.NewGuid();

    private static PaymentFact Paid(string reference, decimal amount, int dayOffset) =>
        new(Guid.NewGuid(), reference, amount, new DateTimeOffset(Day.AddDays(dayOffset).ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)), Day.AddDays(dayOffset));

    private static StatementLine Line(int number, string reference, decimal amount, int dayOffset = 0) =>
        new() { StatementId = StatementId, LineNumber = number, Reference = reference, Amount = amount, BookedOn = Day.AddDays(dayOffset), Counterparty = "payer" };

    [Fact]
    public void Lines_are_matched_differing_or_statement_only_and_unmatched_payments_of_the_day_are_payment_only()
    {
        var payments = new[]
        {
            Paid("A", 100m, 0), Paid("B", 200m, -1), Paid("C", 300m, 0), Paid("E", 400m, -5), Paid("H", 700m, 0), Paid("J", 900m, 1),
        };
        var lines = new[] { Line(1, "A", 100m), Line(2, "B", 200m), Line(3, "C", 310m), Line(4, "E", 400m), Line(5, "F", 50m) };

        var items = StatementMatcher.Match(StatementId, Day, lines, payments, toleranceDays: 1);

        Assert.Equal(
            ["1:Matched", "2:Matched", "3:Differing", "4:Differing", "5:StatementOnly", "0:PaymentOnly"],
            items.Select(i => $"{i.LineNumber}:{i.Outcome}"));
        Assert.Equal("amount", items[2].Difference);
        Assert.Equal("date", items[3].Difference);
        Assert.Equal("H", items[5].Reference); // J is the next day's payment: not this statement's to miss
        Assert.Equal(Enumerable.Range(1, 6), items.Select(i => i.Ordinal));
    }

    [Fact]
    public void An_exact_line_takes_its_payment_before_an_earlier_line_that_would_only_differ()
    {
        var payment = Paid("R", 50m, 0);

        var items = StatementMatcher.Match(StatementId, Day, [Line(1, "R", 49m), Line(2, "R", 50m)], [payment], toleranceDays: 0);

        Assert.Equal(ReconciliationOutcome.StatementOnly, items[0].Outcome);
        Assert.Equal(ReconciliationOutcome.Matched, items[1].Outcome);
        Assert.Equal(payment.Id, items[1].PaymentId);
    }

    [Fact]
    public void A_payment_pairs_with_one_line_only()
    {
        var items = StatementMatcher.Match(StatementId, Day, [Line(1, "D", 10m), Line(2, "D", 10m)], [Paid("D", 10m, 0)], toleranceDays: 1);

        Assert.Equal([ReconciliationOutcome.Matched, ReconciliationOutcome.StatementOnly], items.Select(i => i.Outcome));
    }
}

public sealed class StatementCsvTests
{
    [Fact]
    public void Reads_a_header_quoted_fields_and_blank_lines()
    {
        var (lines, errors) = StatementCsv.Parse("booked_date,amount,reference,counterparty\r\n2026-03-10,100.50,REF-1,\"Acme, Ltd.\"\r\n\r\n2026-03-11,-2,REF-2,\"Say \"\"hi\"\"\"\n");

        Assert.Empty(errors);
        Assert.Equal(2, lines.Count);
        Assert.Equal(new CsvLine(1, new DateOnly(2026, 3, 10), 100.50m, "REF-1", "Acme, Ltd."), lines[0]);
        Assert.Equal("Say \"hi\"", lines[1].Counterparty);
        Assert.Equal(-2m, lines[1].Amount);
    }

    [Fact]
    public void Names_each_malformed_line()
    {
        var (_, errors) = StatementCsv.Parse("2026-13-01,1,R,x\n2026-03-10,1.23456,R,x\n2026-03-10,1,,x\n2026-03-10,1,R\n2026-03-10,1,\"R,x\n");

        Assert.Equal(5, errors.Count);
        Assert.StartsWith("line 1: booked_date", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("line 2: amount", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("line 3: reference", errors[2], StringComparison.Ordinal);
        Assert.StartsWith("line 4: must have 4 fields", errors[3], StringComparison.Ordinal);
        Assert.StartsWith("line 5: must have 4 fields", errors[4], StringComparison.Ordinal);
    }
}
