using Platform.Billing.Domain.Ledger;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Domain.Ledger.LedgerAccount;

namespace Platform.Tests.Unit.Billing;

/// <summary>The transfer that takes a deposit back (<see cref="Postings.DepositReversal"/>), against books in memory.</summary>
public sealed class DepositReversalPostingTests
{
    private static readonly Guid PaymentId = Guid.CreateVersion7();

    [Fact]
    public void What_is_still_prepaid_comes_back_and_what_was_spent_or_paid_invoices_becomes_receivable()
    {
        var book = new PrepaidBook();
        book.Apply(Postings.InvoiceIssued(Guid.CreateVersion7(), 200m));
        var deposit = book.Apply(Postings.Deposit(PaymentId, 800m, null, 0.1m, invoiced: 200m)).Transfer;
        book.Apply(new Transfer(Guid.CreateVersion7(), "consume", [new Leg(PrepaidCash, Revenue, 300m)]));

        var reversal = Postings.DepositReversal(PaymentId, 0, deposit, book);
        book.Apply(reversal);

        Assert.Equal(Postings.DepositReversalId(PaymentId, 0), reversal.Id);
        Assert.Equal(200m + 300m, Postings.Owed(reversal));
        Assert.Equal((0m, 0m, 0m, 500m), (book.Balance(PrepaidCash), book.Balance(RiskReserve), book.Balance(PaymentsClearing), book.Balance(Receivable)));
        Assert.Equal(200m + 300m, book.Balance(Revenue)); // the sales stay sales; the customer owes their money again
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void A_deposit_untouched_goes_back_whole_and_nothing_is_owed()
    {
        var book = new PrepaidBook();
        var deposit = book.Apply(Postings.Deposit(PaymentId, 500m, null, 0.1m)).Transfer;

        var reversal = Postings.DepositReversal(PaymentId, 0, deposit, book);
        book.Apply(reversal);

        Assert.Equal(0m, Postings.Owed(reversal));
        Assert.All(Enum.GetValues<LedgerAccount>(), a => Assert.Equal(0m, book.Balance(a)));
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void Prepaid_cash_on_credit_is_not_taken_further_below_zero_the_whole_deposit_is_owed_instead()
    {
        var book = new PrepaidBook(creditLimit: 100m);
        var deposit = book.Apply(Postings.Deposit(PaymentId, 50m, null, 0m)).Transfer;
        book.Apply(new Transfer(Guid.CreateVersion7(), "consume", [new Leg(PrepaidCash, Revenue, 120m)]));

        var reversal = Postings.DepositReversal(PaymentId, 0, deposit, book);
        book.Apply(reversal);

        Assert.Equal(50m, Postings.Owed(reversal));
        Assert.Equal((-70m, 50m), (book.Balance(PrepaidCash), book.Balance(Receivable)));
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void Generations_have_their_own_deposit_and_reversal_ids_and_generation_zero_keeps_the_historic_one()
    {
        Assert.Equal(Postings.IdFor("deposit", PaymentId), Postings.DepositId(PaymentId, 0));
        Assert.Equal(Postings.DepositId(PaymentId, 0), Postings.Deposit(PaymentId, 10m, null, 0m).Id);
        Assert.Equal(3, new[] { Postings.DepositId(PaymentId, 0), Postings.DepositId(PaymentId, 1), Postings.DepositId(PaymentId, 2) }.Distinct().Count());
        Assert.NotEqual(Postings.DepositReversalId(PaymentId, 0), Postings.DepositReversalId(PaymentId, 1));
    }

    /// <summary>Every balance at or above its floor (clearing may be short only by what the customer owes).</summary>
    private static void AssertFloors(PrepaidBook book)
    {
        foreach (var account in Enum.GetValues<LedgerAccount>())
        {
            Assert.True(book.Balance(account) >= account.Floor(book.CreditLimit, book.Balance(Receivable)), $"{account} is {book.Balance(account)}");
        }

        Assert.True(book.Balance(PaymentsClearing) + book.Balance(Receivable) >= 0);
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void A_refund_paid_out_of_the_deposit_is_owed_like_spent_money_and_clearing_is_short_by_it_until_the_customer_pays()
    {
        // 1000 deposited (100 to the reserve), 100 spent, 300 refunded and paid out; then the payment is reversed.
        var book = new PrepaidBook();
        var deposit = book.Apply(Postings.Deposit(PaymentId, 1000m, null, 0.1m)).Transfer;
        book.Apply(new Transfer(Guid.CreateVersion7(), "consume", [new Leg(PrepaidCash, Revenue, 100m)]));
        var refund = Guid.CreateVersion7();
        book.Apply(Postings.RefundApproved(refund, 300m));
        book.Apply(Postings.RefundPaid(refund, 300m, book));
        Assert.Equal((600m, 100m, 600m), (book.Balance(PaymentsClearing), book.Balance(RiskReserve), book.Balance(PrepaidCash)));

        var reversal = Postings.DepositReversal(PaymentId, 0, deposit, book);
        var applied = book.Apply(reversal);

        Assert.False(applied.Replayed);
        Assert.Equal(100m + 300m, Postings.Owed(reversal)); // spent and refunded: both owed
        // The reserve is released whole, what prepaid cash holds comes back, and clearing is short by the refund paid out
        // of money that never arrived: the part of the receivable the refund left.
        Assert.Equal((0m, 0m, 0m, 400m, -300m), (book.Balance(PrepaidCash), book.Balance(RiskReserve), book.Balance(RefundsPayable),
            book.Balance(Receivable), book.Balance(PaymentsClearing)));
        Assert.Equal(100m, book.Balance(Revenue));
        AssertFloors(book);

        // Delivered again: the same id applies once (the stored ledger answers the first transfer without building another).
        var again = book.Apply(reversal);
        Assert.True(again.Replayed);
        Assert.Equal((400m, -300m), (book.Balance(Receivable), book.Balance(PaymentsClearing)));

        // The customer pays the invoice: nothing is owed, and clearing holds the money that paid for what was spent.
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 0m, null, 0.1m, invoiced: 400m));
        Assert.Equal((100m, 0m), (book.Balance(PaymentsClearing), book.Balance(Receivable)));
        AssertFloors(book);
    }

    [Fact]
    public void A_refund_paid_out_whole_leaves_the_whole_refund_owed_and_nothing_below_its_floor()
    {
        var book = new PrepaidBook();
        var deposit = book.Apply(Postings.Deposit(PaymentId, 100m, null, 0.1m)).Transfer;
        var refund = Guid.CreateVersion7();
        book.Apply(Postings.RefundApproved(refund, 100m));
        book.Apply(Postings.RefundPaid(refund, 100m, book));

        var reversal = Postings.DepositReversal(PaymentId, 0, deposit, book);
        book.Apply(reversal);

        Assert.Equal(100m, Postings.Owed(reversal));
        Assert.Equal((-100m, 100m, 0m, 0m), (book.Balance(PaymentsClearing), book.Balance(Receivable), book.Balance(RiskReserve), book.Balance(PrepaidCash)));
        AssertFloors(book);
    }

    [Fact]
    public void An_approved_refund_not_yet_paid_is_owed_and_its_payout_after_the_reversal_still_applies()
    {
        var book = new PrepaidBook();
        var deposit = book.Apply(Postings.Deposit(PaymentId, 1000m, null, 0.1m)).Transfer;
        var refund = Guid.CreateVersion7();
        book.Apply(Postings.RefundApproved(refund, 400m));

        var reversal = Postings.DepositReversal(PaymentId, 0, deposit, book);
        book.Apply(reversal);
        Assert.Equal(400m, Postings.Owed(reversal));
        Assert.Equal((0m, 0m, 400m, 400m), (book.Balance(PaymentsClearing), book.Balance(PrepaidCash), book.Balance(RefundsPayable), book.Balance(Receivable)));
        AssertFloors(book);

        // Payment pays the approved refund out (billing cannot call it back): it applies, clearing short by it.
        var paid = Postings.RefundPaid(refund, 400m, book);
        Assert.DoesNotContain(paid.Legs, l => l.To == RiskReserve); // nothing left in the reserve to release
        book.Apply(paid);
        Assert.Equal((-400m, 0m, 400m), (book.Balance(PaymentsClearing), book.Balance(RefundsPayable), book.Balance(Receivable)));
        AssertFloors(book);
    }

    [Fact]
    public void Clearing_may_be_short_only_by_what_the_customer_owes_and_only_for_a_payout_of_money_never_received()
    {
        // On credit, prepaid cash may pay out more than clearing holds; clearing stops at minus the receivable (30).
        var book = new PrepaidBook(creditLimit: 1000m);
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 100m, null, 0m));
        book.Apply(Postings.InvoiceIssued(Guid.CreateVersion7(), 30m));

        // Any other transfer (a manual adjustment through the Transfer RPC, say) keeps clearing at zero or above.
        var other = Assert.Throws<PreconditionFailedException>(() =>
            book.Apply(new Transfer(Guid.CreateVersion7(), "manual.adjustment", [new Leg(PrepaidCash, PaymentsClearing, 100.0001m)])));
        Assert.Equal(("INSUFFICIENT_BALANCE", "accounts/PaymentsClearing"), (other.Reason, other.Subject));

        var refused = Assert.Throws<PreconditionFailedException>(() =>
            book.Apply(new Transfer(Guid.CreateVersion7(), "refund.paid", [new Leg(PrepaidCash, PaymentsClearing, 130.0001m)])));
        Assert.Equal(("INSUFFICIENT_BALANCE", "accounts/PaymentsClearing"), (refused.Reason, refused.Subject));
        Assert.Equal((100m, 100m), (book.Balance(PaymentsClearing), book.Balance(PrepaidCash)));

        book.Apply(new Transfer(Guid.CreateVersion7(), "refund.paid", [new Leg(PrepaidCash, PaymentsClearing, 130m)]));
        Assert.Equal(-30m, book.Balance(PaymentsClearing));
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void The_reversal_takes_the_deposits_own_lot_so_the_customers_other_money_keeps_its_earlier_expiry()
    {
        var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        Transfer Reverse(PrepaidBook book, Transfer deposit, Guid? lot) => Postings.DepositReversal(PaymentId, 0, deposit, book, lot);

        var book = new PrepaidBook();
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 300m, now.AddDays(30), 0.1m));
        var deposit = book.Apply(Postings.Deposit(PaymentId, 500m, now.AddDays(300), 0.1m)).Transfer;
        var depositLot = book.Lots[^1].Id;
        var reversal = Reverse(book, deposit, depositLot);
        Assert.Equal(depositLot, Assert.Single(reversal.Legs, l => l.From == PrepaidCash).Lot);
        book.Apply(reversal);

        var left = Assert.Single(book.Lots, l => l.Remaining > 0);
        Assert.Equal((300m, now.AddDays(30)), (left.Remaining, left.ExpiresAt));
        Assert.Equal(300m, book.Balance(PrepaidCash));
        AssertFloors(book);

        // Unnamed, the soonest-expiring lot would pay: the genuine money would be left with the reversed deposit's later expiry.
        var unnamed = new PrepaidBook();
        unnamed.Apply(Postings.Deposit(Guid.CreateVersion7(), 300m, now.AddDays(30), 0.1m));
        unnamed.Apply(Reverse(unnamed, unnamed.Apply(Postings.Deposit(PaymentId, 500m, now.AddDays(300), 0.1m)).Transfer, null));
        Assert.Equal(now.AddDays(300), Assert.Single(unnamed.Lots, l => l.Remaining > 0).ExpiresAt);
    }

    [Fact]
    public void What_the_deposits_lot_no_longer_holds_comes_from_the_soonest_expiring_other_lots()
    {
        var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var book = new PrepaidBook();
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 300m, now.AddDays(30), 0m));
        var deposit = book.Apply(Postings.Deposit(PaymentId, 500m, now.AddDays(300), 0m)).Transfer;
        var depositLot = book.Lots[^1].Id;
        book.Apply(new Transfer(Guid.CreateVersion7(), "consume", [new Leg(PrepaidCash, Revenue, 600m)])); // 300 of the first, 300 of the deposit's
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 400m, now.AddDays(100), 0m));
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 100m, now.AddDays(200), 0m));

        book.Apply(Postings.DepositReversal(PaymentId, 0, deposit, book, depositLot));

        // 200 from the deposit's own lot, then 300 of the soonest-expiring other (day 100); day 200 untouched.
        Assert.Equal([(now.AddDays(100), 100m), (now.AddDays(200), 100m)],
            book.Lots.Where(l => l.Remaining > 0).OrderBy(l => l.ExpiresAt).Select(l => (l.ExpiresAt!.Value, l.Remaining)));
        Assert.Equal(0m, book.Lots.Single(l => l.Id == depositLot).Remaining);
        AssertFloors(book);
    }

    [Fact]
    public void Only_a_debit_of_prepaid_cash_names_a_lot()
    {
        var book = new PrepaidBook();
        book.Apply(Postings.Deposit(Guid.CreateVersion7(), 100m, null, 0m));

        var refused = Assert.Throws<ValidationException>(() =>
            book.Apply(new Transfer(Guid.CreateVersion7(), "consume", [new Leg(PaymentsClearing, PrepaidCash, 10m, Lot: book.Lots[0].Id)])));

        Assert.Contains(refused.Violations, v => v.Field == "legs[0].lot");
    }
}
