using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Credit.Domain;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Merges;

namespace Platform.Payment.Credit.Application;

/// <summary>
/// Reads a customer's payment history (receivables and the payment book) and scores it with the configured policy.
/// A survivor of a customer merge is scored on its own history and that of the customers merged into it.
/// </summary>
public sealed class CreditAssessor(PaymentDb db, Survivors survivors, IOptions<CreditPolicyOptions> options, TimeProvider clock)
{
    public async Task<(CreditHistory History, CreditAssessment Assessment)> AssessAsync(Guid customerId, CancellationToken ct)
    {
        var history = await HistoryAsync(customerId, clock.GetUtcNow(), ct);
        return (history, new CreditPolicy(options.Value).Assess(history));
    }

    private async Task<CreditHistory> HistoryAsync(Guid customerId, DateTimeOffset now, CancellationToken ct)
    {
        List<Guid> customers = [customerId, .. await survivors.MergedIntoAsync(customerId, ct)];
        var invoices = await db.Set<Receivable>().AsNoTracking().Where(r => customers.Contains(r.CustomerId))
            .Select(r => new { r.DueDate, r.PaidAt, r.AmountDue }).ToListAsync(ct);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var paid = invoices.Where(i => i.PaidAt is not null)
            .Select(i => DateOnly.FromDateTime(i.PaidAt!.Value.UtcDateTime).DayNumber - DateOnly.FromDateTime(i.DueDate.UtcDateTime).DayNumber)
            .ToList();
        var late = paid.Where(days => days > 0).ToList();
        var open = invoices.Where(i => i.PaidAt is null && i.AmountDue > 0).ToList();
        var overdueNow = open.Select(i => today.DayNumber - DateOnly.FromDateTime(i.DueDate.UtcDateTime).DayNumber).DefaultIfEmpty(0).Max();

        var yearAgo = now.AddYears(-1);
        var payments = await db.Payments.AsNoTracking().Where(p => p.CustomerId != null && customers.Contains(p.CustomerId.Value))
            .GroupBy(p => p.State)
            .Select(g => new { State = g.Key, Count = g.Count(), LastYear = g.Where(p => p.ReceivedAt >= yearAgo).Sum(p => p.Amount) })
            .ToListAsync(ct);
        return new CreditHistory(
            PaidInvoices: paid.Count,
            PaidOnTime: paid.Count - late.Count,
            DaysOverdueNow: Math.Max(0, overdueNow),
            AverageDaysLate: late.Count == 0 ? 0d : late.Average(),
            MaxDaysLate: late.DefaultIfEmpty(0).Max(),
            BouncedPayments: payments.Where(p => p.State == PaymentState.Bounced).Sum(p => p.Count),
            Payments: payments.Sum(p => p.Count),
            Outstanding: open.Sum(i => i.AmountDue),
            PaidLast12Months: payments.Where(p => p.State == PaymentState.Received).Sum(p => p.LastYear));
    }
}
