using Platform.Billing.Domain.Ledger;
using static Platform.Billing.Domain.Ledger.LedgerAccount;

namespace Platform.Tests.Unit.Billing;

/// <summary>The transfers that hand a merged customer's book over to the survivor's, on plain books.</summary>
public sealed class MergePostingsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid Survivor = Guid.CreateVersion7();
    private static readonly Guid Merged = Guid.CreateVersion7();

    private static Transfer T(string code, params Leg[] legs) => new(Guid.CreateVersion7(), code, legs);

    /// <summary>A book touching every account: deposits with the reserve share, promotion, hold, refund, invoices, spending.</summary>
    private static PrepaidBook Busy()
    {
        var book = new PrepaidBook();
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 1000m, Now.AddDays(30), 0.1m));
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 500m, Now.AddDays(300), 0.1m));
        book.Apply(Postings.PromotionalCredit(Guid.CreateVersion7(), 80m));
        book.Apply(Postings.Hold(Guid.CreateVersion7(), 200m));
        book.Apply(Postings.RefundApproved(Guid.CreateVersion7(), 100m));
        book.Apply(Postings.InvoiceIssued(Guid.CreateVersion7(), 700m));
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 0m, null, 0.1m, invoiced: 300m));
        book.Apply(T("consume", new Leg(PrepaidCash, Revenue, 50m), new Leg(PromotionalCredit, Revenue, 30m)));
        return book;
    }

    private static (PrepaidBook Merged, PrepaidBook Survivor, Dictionary<LedgerAccount, decimal> Before) Merge(PrepaidBook merged, PrepaidBook survivor)
    {
        var before = Enum.GetValues<LedgerAccount>().ToDictionary(a => a, a => merged.Balance(a) + survivor.Balance(a));
        var moved = MergePostings.Moved(merged);
        merged.Apply(MergePostings.Out(Survivor, Merged, moved)!);
        survivor.Apply(MergePostings.In(Survivor, Merged, moved, survivor)!);
        return (merged, survivor, before);
    }

    [Fact]
    public void Every_balance_the_merged_customer_holds_moves_and_the_pair_of_books_keeps_every_amount()
    {
        var survivor = new PrepaidBook();
        survivor.Apply(Postings.Deposit(Guid.CreateVersion7(), 40m, Now.AddDays(10), 0.1m));

        var (merged, after, before) = Merge(Busy(), survivor);

        Assert.Empty(merged.CheckInvariants());
        Assert.Empty(after.CheckInvariants());
        foreach (var account in new[] { PrepaidCash, PromotionalCredit, Held, RefundsPayable, Receivable })
        {
            Assert.Equal(0m, merged.Balance(account));
        }

        // Its clearing pays for all the cash handed over, so its reserve stays where it was set aside, with the rest of its clearing.
        Assert.Equal((150m, 200m), (merged.Balance(RiskReserve), merged.Balance(PaymentsClearing)));

        foreach (var account in Enum.GetValues<LedgerAccount>())
        {
            Assert.Equal(before[account], merged.Balance(account) + after.Balance(account));
        }

        Assert.Equal([(Now.AddDays(10), 40m), (Now.AddDays(30), 650m), (Now.AddDays(300), 500m)],
            after.Lots.Where(l => l.Remaining > 0).OrderBy(l => l.ExpiresAt).Select(l => (l.ExpiresAt!.Value, l.Remaining)));
        Assert.Equal((50m, 200m, 100m, 400m), (after.Balance(PromotionalCredit), after.Balance(Held), after.Balance(RefundsPayable), after.Balance(Receivable)));
        Assert.True(merged.Balance(PaymentsClearing) >= 0 && after.Balance(PaymentsClearing) >= 0);
    }

    [Fact]
    public void An_overdraft_moves_into_the_survivors_prepaid_cash_within_its_credit_limit_else_into_its_receivable()
    {
        static PrepaidBook Overdrawn()
        {
            var book = new PrepaidBook(creditLimit: 100m);
            book.Apply(Postings.Deposit(Guid.CreateVersion7(), 100m, null, 0m));
            book.Apply(T("consume", new Leg(PrepaidCash, Revenue, 160m)));
            return book;
        }

        var (m1, withCredit, _) = Merge(Overdrawn(), new PrepaidBook(creditLimit: 100m));
        var (m2, withoutCredit, _) = Merge(Overdrawn(), new PrepaidBook());

        Assert.Equal(-60m, withCredit.Balance(PrepaidCash));
        Assert.Equal((0m, 60m), (withoutCredit.Balance(PrepaidCash), withoutCredit.Balance(Receivable)));
        Assert.All(new[] { m1, withCredit, m2, withoutCredit }, b => Assert.Empty(b.CheckInvariants()));
        Assert.Equal(0m, m1.Balance(PrepaidCash));
    }

    [Fact]
    public void A_clearing_short_by_a_refund_of_a_reversed_payment_moves_with_the_debt_it_backs()
    {
        // Promotional spending gives revenue without cash: the debt must still move with clearing, not with revenue.
        var merged = new PrepaidBook();
        merged.Apply(Postings.PromotionalCredit(Guid.CreateVersion7(), 500m));
        merged.Apply(T("spend-promotion", new Leg(PromotionalCredit, Revenue, 500m)));
        var payment = Guid.CreateVersion7();
        var deposit = merged.Apply(Postings.Deposit(payment, 1000m, Now.AddDays(30), 0.1m)).Transfer;
        var refund = Guid.CreateVersion7();
        merged.Apply(Postings.RefundApproved(refund, 400m));
        merged.Apply(Postings.RefundPaid(refund, 400m, merged));
        merged.Apply(Postings.DepositReversal(payment, 0, deposit, merged));
        Assert.Equal((-400m, 400m, 500m), (merged.Balance(PaymentsClearing), merged.Balance(Receivable), merged.Balance(Revenue)));
        var survivor = new PrepaidBook();
        survivor.Apply(Postings.Deposit(Guid.CreateVersion7(), 100m, Now.AddDays(10), 0m));

        var (emptied, after, before) = Merge(merged, survivor);

        Assert.Empty(emptied.CheckInvariants());
        Assert.Empty(after.CheckInvariants());
        Assert.Equal((0m, 0m, 500m), (emptied.Balance(PaymentsClearing), emptied.Balance(Receivable), emptied.Balance(Revenue)));
        Assert.Equal((-300m, 400m, 100m), (after.Balance(PaymentsClearing), after.Balance(Receivable), after.Balance(PrepaidCash)));
        foreach (var account in Enum.GetValues<LedgerAccount>())
        {
            Assert.Equal(before[account], emptied.Balance(account) + after.Balance(account));
        }
    }

    [Fact]
    public void An_empty_book_moves_nothing_and_ids_derive_from_the_pair()
    {
        var moved = MergePostings.Moved(new PrepaidBook());

        Assert.Empty(moved);
        Assert.Null(MergePostings.Out(Survivor, Merged, moved));
        Assert.Null(MergePostings.In(Survivor, Merged, moved, new PrepaidBook()));
        Assert.Equal(MergePostings.OutId(Survivor, Merged), MergePostings.OutId(Survivor, Merged));
        Assert.NotEqual(MergePostings.OutId(Survivor, Merged), MergePostings.OutId(Merged, Survivor));
        Assert.NotEqual(MergePostings.OutId(Survivor, Merged), MergePostings.InId(Survivor, Merged));
    }
}
