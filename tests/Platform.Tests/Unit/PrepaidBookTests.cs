using Platform.Billing.Domain.Ledger;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Domain.Ledger.LedgerAccount;

namespace Platform.Tests.Unit;

public sealed class PrepaidBookTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static Transfer Deposit(decimal amount, DateTimeOffset? expiry = null, Guid? id = null) =>
        new(id ?? Guid.CreateVersion7(), "deposit", [new Leg(PaymentsClearing, PrepaidCash, amount, expiry)]);

    private static Transfer Consume(decimal amount, Guid? id = null) =>
        new(id ?? Guid.CreateVersion7(), "consume", [new Leg(PrepaidCash, Revenue, amount)]);

    [Fact]
    public void Deposit_then_consumption_moves_money_and_keeps_the_books_balanced()
    {
        var book = new PrepaidBook();
        book.Apply(Deposit(1000m));
        book.Apply(Consume(250.5m));

        Assert.Equal(749.5m, book.Balance(PrepaidCash));
        Assert.Equal(250.5m, book.Balance(Revenue));
        Assert.Equal(1000m, book.Balance(PaymentsClearing));
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void Spending_takes_the_soonest_expiring_lot_first()
    {
        var book = new PrepaidBook();
        book.Apply(Deposit(100m, Now.AddDays(90)));
        book.Apply(Deposit(100m, Now.AddDays(30)));
        book.Apply(Deposit(100m));

        book.Apply(Consume(150m));

        Assert.Equal([50m, 0m, 100m], book.Lots.Select(l => l.Remaining));
    }

    [Fact]
    public void Expired_lots_move_out_by_one_transfer_applied_once()
    {
        var book = new PrepaidBook();
        book.Apply(Deposit(100m, Now.AddDays(7)));
        book.Apply(Deposit(40m, Now.AddDays(60)));
        book.Apply(Consume(30m));

        var expiry = book.ExpiryTransfer(Now.AddDays(8))!;
        Assert.False(book.Apply(expiry).Replayed);
        Assert.True(book.Apply(book.ExpiryTransfer(Now.AddDays(8)) ?? expiry).Replayed);

        Assert.Equal(40m, book.Balance(PrepaidCash));
        Assert.Equal(100m, book.Balance(Revenue));
        Assert.Null(book.ExpiryTransfer(Now.AddDays(8)));
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void Overdraft_is_refused_and_changes_nothing()
    {
        var book = new PrepaidBook();
        book.Apply(Deposit(100m));

        var e = Assert.Throws<PreconditionFailedException>(() => book.Apply(Consume(100.0001m)));

        Assert.Equal("INSUFFICIENT_BALANCE", e.Reason);
        Assert.Equal(100m, book.Balance(PrepaidCash));
        Assert.Equal(2, book.Entries.Count);
    }

    [Fact]
    public void A_contract_with_credit_may_go_below_zero_up_to_its_limit_and_new_money_repays_it_first()
    {
        var book = new PrepaidBook(creditLimit: 50m);
        book.Apply(Consume(50m));
        Assert.Throws<PreconditionFailedException>(() => book.Apply(Consume(0.01m)));

        book.Apply(Deposit(80m));

        Assert.Equal(30m, book.Balance(PrepaidCash));
        Assert.Equal(30m, book.Lots.Sum(l => l.Remaining));
        Assert.Empty(book.CheckInvariants());
    }

    [Fact]
    public void Same_transfer_id_with_same_content_answers_the_first_result_and_with_other_content_names_the_field()
    {
        var book = new PrepaidBook();
        var id = Guid.CreateVersion7();
        book.Apply(Deposit(100m, id: id));

        Assert.True(book.Apply(Deposit(100m, id: id)).Replayed);
        var e = Assert.Throws<ValidationException>(() => book.Apply(Deposit(101m, id: id)));

        Assert.Equal("legs[0].amount", Assert.Single(e.Violations).Field);
        Assert.Equal(100m, book.Balance(PrepaidCash));
    }

    [Theory]
    [InlineData(0, "legs[0].amount")]
    [InlineData(-5, "legs[0].amount")]
    [InlineData(0.00001, "legs[0].amount")]
    public void Invalid_amounts_are_refused_naming_the_leg(double amount, string field)
    {
        var e = Assert.Throws<ValidationException>(() => new PrepaidBook().Apply(Deposit((decimal)amount)));

        Assert.Contains(e.Violations, v => v.Field == field);
    }

    [Fact]
    public void Multi_leg_transfer_applies_all_legs_or_none()
    {
        var book = new PrepaidBook();
        book.Apply(Deposit(100m));
        var holdTooMuch = new Transfer(Guid.CreateVersion7(), "hold", [new Leg(PrepaidCash, Held, 60m), new Leg(PrepaidCash, Held, 60m)]);

        Assert.Throws<PreconditionFailedException>(() => book.Apply(holdTooMuch));
        Assert.Equal(0m, book.Balance(Held));

        book.Apply(new Transfer(Guid.CreateVersion7(), "deposit-and-hold", [new Leg(PaymentsClearing, PrepaidCash, 50m), new Leg(PrepaidCash, Held, 120m)]));
        Assert.Equal(120m, book.Balance(Held));
        Assert.Equal(30m, book.Balance(PrepaidCash));
        Assert.Empty(book.CheckInvariants());
    }

    /// <summary>Random sequences of every kind of movement, replays included: no invariant ever breaks.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_sequences_keep_every_invariant(int seed)
    {
        var random = new Random(seed);
        var book = new PrepaidBook(creditLimit: seed % 2 == 0 ? 0m : 200m);
        var history = new List<Transfer>();
        var clock = Now;
        decimal Amount() => Math.Round((decimal)random.NextDouble() * 500m, random.Next(0, 5)) + 0.0001m;

        for (var step = 0; step < 2000; step++)
        {
            clock = clock.AddHours(random.Next(0, 48));
            var id = Guid.CreateVersion7();
            Transfer transfer = random.Next(10) switch
            {
                0 or 1 => Deposit(Amount(), random.Next(3) == 0 ? null : clock.AddDays(random.Next(1, 120)), id),
                2 => new(id, "promotion", [new Leg(Promotions, PromotionalCredit, Amount())]),
                3 => new(id, "hold", [new Leg(PrepaidCash, Held, Amount())]),
                4 => new(id, "release", [new Leg(Held, Revenue, Amount())]),
                5 => new(id, "cancel-hold", [new Leg(Held, PrepaidCash, Amount())]),
                6 => Consume(Amount(), id),
                7 => new(id, "refund", [new Leg(PrepaidCash, RefundsPayable, Amount())]),
                8 => new(id, "refund-paid", [new Leg(RefundsPayable, PaymentsClearing, Amount())]),
                _ => book.ExpiryTransfer(clock) ?? new(id, "spend-promotion", [new Leg(PromotionalCredit, Revenue, Amount())]),
            };

            var before = Snapshot(book);
            try
            {
                book.Apply(transfer);
                history.Add(transfer);
            }
            catch (PreconditionFailedException)
            {
                Assert.Equal(before, Snapshot(book)); // a refusal changes nothing
            }

            if (history.Count > 0 && random.Next(5) == 0)
            {
                var replay = history[random.Next(history.Count)];
                var entriesBefore = book.Entries.Count;
                Assert.True(book.Apply(replay).Replayed);
                Assert.Equal(entriesBefore, book.Entries.Count);
            }

            Assert.Empty(book.CheckInvariants());
        }

        Assert.True(history.Count > 500, "the sequence should mostly apply");
    }

    private static string Snapshot(PrepaidBook book) =>
        string.Join(';', Enum.GetValues<LedgerAccount>().Select(a => book.Balance(a))) + "|" + book.Entries.Count + "|" +
        string.Join(',', book.Lots.Select(l => l.Remaining));
}
