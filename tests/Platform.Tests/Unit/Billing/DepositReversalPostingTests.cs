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

    [Fact]
    public void A_refund_already_paid_out_of_the_money_cannot_be_taken_back_and_the_reversal_is_refused_changing_nothing()
    {
        // Known limit: the money left through a refund and never came in; payments clearing cannot go below zero.
        var book = new PrepaidBook();
        var deposit = book.Apply(Postings.Deposit(PaymentId, 100m, null, 0.1m)).Transfer;
        var refund = Guid.CreateVersion7();
        book.Apply(Postings.RefundApproved(refund, 100m));
        book.Apply(Postings.RefundPaid(refund, 100m, book.Balance(PaymentsClearing)));

        var refused = Assert.Throws<PreconditionFailedException>(() => book.Apply(Postings.DepositReversal(PaymentId, 0, deposit, book)));

        Assert.Equal("INSUFFICIENT_BALANCE", refused.Reason);
        Assert.Equal((0m, 0m), (book.Balance(PaymentsClearing), book.Balance(Receivable)));
        Assert.Empty(book.CheckInvariants());
    }
}
