namespace Platform.Payment.Reconciliation.Domain;

/// <summary>A recorded payment as reconciliation sees it; <paramref name="ReceivedOn"/> is its local booking day.</summary>
public sealed record PaymentFact(Guid Id, string? Reference, decimal Amount, DateTimeOffset ReceivedAt, DateOnly ReceivedOn);

/// <summary>
/// Matches statement lines to recorded payments. A line and a payment with the same reference are matched when the
/// amounts are equal and the days are at most the tolerance apart, differing otherwise; a line whose reference no
/// payment has is statement-only; a payment of the statement's day that no line took is payment-only. Each payment
/// pairs with one line at most; an exact pair wins over a differing one.
/// </summary>
public static class StatementMatcher
{
    public static IReadOnlyList<ReconciliationItem> Match(Guid statementId, DateOnly statementDate, IReadOnlyList<StatementLine> lines,
        IReadOnlyList<PaymentFact> payments, int toleranceDays)
    {
        var byReference = payments.Where(p => !string.IsNullOrEmpty(p.Reference))
            .GroupBy(p => p.Reference!.Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.ReceivedAt).ThenBy(p => p.Id).ToList(), StringComparer.Ordinal);
        var used = new HashSet<Guid>();
        var items = new List<ReconciliationItem>();
        var ordered = lines.OrderBy(l => l.LineNumber).ToList();
        var pairs = new Dictionary<int, (PaymentFact Payment, bool Exact)>();

        // Exact pairs first, so a differing candidate never takes the payment an exact line needs.
        foreach (var line in ordered)
        {
            if (byReference.TryGetValue(line.Reference, out var same)
                && same.FirstOrDefault(p => !used.Contains(p.Id) && p.Amount == line.Amount && Within(p, line, toleranceDays)) is { } exact)
            {
                used.Add(exact.Id);
                pairs[line.LineNumber] = (exact, true);
            }
        }

        foreach (var line in ordered.Where(l => !pairs.ContainsKey(l.LineNumber)))
        {
            if (byReference.TryGetValue(line.Reference, out var same) && same.FirstOrDefault(p => !used.Contains(p.Id)) is { } near)
            {
                used.Add(near.Id);
                pairs[line.LineNumber] = (near, false);
            }
        }

        foreach (var line in ordered)
        {
            var found = pairs.TryGetValue(line.LineNumber, out var pair);
            items.Add(new ReconciliationItem
            {
                StatementId = statementId,
                Ordinal = items.Count + 1,
                Outcome = !found ? ReconciliationOutcome.StatementOnly : pair.Exact ? ReconciliationOutcome.Matched : ReconciliationOutcome.Differing,
                LineNumber = line.LineNumber,
                Reference = line.Reference,
                Counterparty = line.Counterparty,
                StatementAmount = line.Amount,
                BookedOn = line.BookedOn,
                PaymentId = found ? pair.Payment.Id : null,
                PaymentAmount = found ? pair.Payment.Amount : null,
                PaymentReceivedAt = found ? pair.Payment.ReceivedAt : null,
                Difference = found && !pair.Exact ? Difference(pair.Payment, line, toleranceDays) : null,
            });
        }

        foreach (var payment in payments.Where(p => p.ReceivedOn == statementDate && !used.Contains(p.Id)).OrderBy(p => p.ReceivedAt).ThenBy(p => p.Id))
        {
            items.Add(new ReconciliationItem
            {
                StatementId = statementId,
                Ordinal = items.Count + 1,
                Outcome = ReconciliationOutcome.PaymentOnly,
                Reference = payment.Reference ?? "",
                PaymentId = payment.Id,
                PaymentAmount = payment.Amount,
                PaymentReceivedAt = payment.ReceivedAt,
            });
        }

        return items;
    }

    private static bool Within(PaymentFact payment, StatementLine line, int toleranceDays) =>
        Math.Abs(payment.ReceivedOn.DayNumber - line.BookedOn.DayNumber) <= toleranceDays;

    private static string Difference(PaymentFact payment, StatementLine line, int toleranceDays) =>
        (payment.Amount != line.Amount, !Within(payment, line, toleranceDays)) switch
        {
            (true, true) => "amount, date",
            (true, false) => "amount",
            _ => "date",
        };
}
