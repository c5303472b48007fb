using Platform.Billing.Commerce.Consumption.Domain;
using Platform.Billing.Domain.Ledger;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Domain.Ledger.LedgerAccount;

namespace Platform.Tests.Unit.Billing.Consumption;

public sealed class ChargePostingTests
{
    private static PrepaidBook Book(decimal cash, decimal promotion, decimal creditLimit = 0m)
    {
        var book = new PrepaidBook(creditLimit);
        if (cash > 0)
        {
            book.Apply(new Transfer(Guid.NewGuid(), "deposit", [new Leg(PaymentsClearing, PrepaidCash, cash)]));
        }

        if (promotion > 0)
        {
            book.Apply(new Transfer(Guid.NewGuid(), "promotion", [new Leg(Promotions, PromotionalCredit, promotion)]));
        }

        return book;
    }

    [Fact]
    public void A_charge_takes_prepaid_cash_first_then_promotional_credit_into_revenue()
    {
        var book = Book(cash: 60m, promotion: 50m);
        var id = ChargePosting.TransferId(Guid.NewGuid(), "crm.seat", "month-001");

        book.Apply(ChargePosting.Consume(id, 80m, book));

        Assert.Equal((0m, 30m, 80m), (book.Balance(PrepaidCash), book.Balance(PromotionalCredit), book.Balance(Revenue)));
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void A_charge_the_balance_does_not_cover_is_refused_whole_without_credit()
    {
        var book = Book(cash: 60m, promotion: 10m);

        var e = Assert.Throws<PreconditionFailedException>(() => book.Apply(ChargePosting.Consume(Guid.NewGuid(), 80m, book)));

        Assert.Equal("INSUFFICIENT_BALANCE", e.Reason);
        Assert.Equal((60m, 10m, 0m), (book.Balance(PrepaidCash), book.Balance(PromotionalCredit), book.Balance(Revenue)));
    }

    [Fact]
    public void An_account_allowed_credit_is_charged_into_it_up_to_its_limit()
    {
        var book = Book(cash: 60m, promotion: 10m, creditLimit: 20m);

        book.Apply(ChargePosting.Consume(Guid.NewGuid(), 80m, book));

        Assert.Equal((-10m, 0m, 80m), (book.Balance(PrepaidCash), book.Balance(PromotionalCredit), book.Balance(Revenue)));
    }

    [Fact]
    public void The_transfer_id_names_contract_item_and_period()
    {
        var contract = Guid.NewGuid();

        Assert.Equal(ChargePosting.TransferId(contract, "crm.seat", "month-001"), ChargePosting.TransferId(contract, "crm.seat", "month-001"));
        Assert.NotEqual(ChargePosting.TransferId(contract, "crm.seat", "month-001"), ChargePosting.TransferId(contract, "crm.seat", "month-002"));
        Assert.NotEqual(ChargePosting.TransferId(contract, "crm.seat", "month-001"), ChargePosting.TransferId(Guid.NewGuid(), "crm.seat", "month-001"));
    }
}
