using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Account = Platform.Billing.Domain.Ledger.LedgerAccount;
using WireAccount = Platform.Contracts.Billing.V1.LedgerAccount;

namespace Platform.Tests.Billing.Ledger;

/// <summary>
/// Random sequences of transfers through the stored ledger, mirrored into the in-memory book (the rules' reference):
/// after every step the stored balances equal the model's, refusals match, replays never apply twice, and the
/// invariant check finds nothing. Several customers run their sequences in parallel.
/// </summary>
public sealed class StoredLedgerPropertyTests(BillingHost host) : IClassFixture<BillingHost>
{
    private static CallOptions System => Tokens.As(Roles.Service);

    private static readonly (string Code, Account From, Account To)[] Moves =
    [
        ("deposit", Account.PaymentsClearing, Account.PrepaidCash),
        ("consume", Account.PrepaidCash, Account.Revenue),
        ("hold", Account.PrepaidCash, Account.Held),
        ("release", Account.Held, Account.Revenue),
        ("cancel-hold", Account.Held, Account.PrepaidCash),
        ("promotion", Account.Promotions, Account.PromotionalCredit),
        ("spend-promotion", Account.PromotionalCredit, Account.Revenue),
        ("refund", Account.PrepaidCash, Account.RefundsPayable),
        ("refund-paid", Account.RefundsPayable, Account.PaymentsClearing),
        ("reserve", Account.RiskReserve, Account.PaymentsClearing),
    ];

    [Theory]
    [InlineData(11)]
    [InlineData(29)]
    public async Task Random_sequences_keep_the_store_equal_to_the_rules_and_every_invariant(int seed)
    {
        var customers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => RunSequenceAsync(seed * 100 + i)));

        foreach (var customerId in customers)
        {
            var check = await host.Ledger.CheckLedgerAsync(new CheckLedgerRequest { CustomerId = customerId.ToString() }, System);
            Assert.True(check.Sound, string.Join("\n", check.Violations));
        }
    }

    private async Task<Guid> RunSequenceAsync(int seed)
    {
        var random = new Random(seed);
        var customerId = Guid.CreateVersion7();
        var model = new PrepaidBook();
        var first = Postings.Deposit(Guid.CreateVersion7(), 1000m, DateTimeOffset.UtcNow.AddDays(30), 0.1m);
        model.Apply(first);
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), customerId, 1000m, "CNY", "card",
            DateTimeOffset.UtcNow.AddDays(30 - 365)));
        await Eventually.Until(() => BalancesAsync(customerId), b => b is not null, what: "the first deposit");
        var applied = new List<Transfer>();

        for (var step = 0; step < 40; step++)
        {
            if (applied.Count > 0 && random.Next(5) == 0)
            {
                var again = applied[random.Next(applied.Count)];
                var replay = await host.Ledger.TransferAsync(ToRequest(customerId, again), System);
                Assert.True(replay.Replayed);
            }
            else
            {
                var legs = Enumerable.Range(0, random.Next(1, 3)).Select(_ =>
                {
                    var move = Moves[random.Next(Moves.Length)];
                    var amount = decimal.Round((decimal)random.NextDouble() * 400m, random.Next(0, 5)) + 0.0001m;
                    DateTimeOffset? expiry = move.To == Account.PrepaidCash && random.Next(2) == 0
                        ? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(random.Next(1, 400)).ToUnixTimeSeconds())
                        : null;
                    return new Leg(move.From, move.To, amount, expiry);
                }).ToList();
                var transfer = new Transfer(Guid.CreateVersion7(), "property.step", legs);
                var modelRefused = Refused(() => model.Apply(transfer));
                try
                {
                    await host.Ledger.TransferAsync(ToRequest(customerId, transfer), System);
                    Assert.False(modelRefused, $"step {step}: the store applied what the rules refuse");
                    applied.Add(transfer);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    Assert.True(modelRefused, $"step {step}: the store refused what the rules allow");
                }
            }

            var stored = (await BalancesAsync(customerId))!;
            foreach (var account in global::System.Enum.GetValues<Account>())
            {
                Assert.Equal(model.Balance(account), stored.Balances.Single(b => b.Account == (WireAccount)account).Balance.ToDecimal());
            }

            Assert.Equal(model.Lots.Where(l => l.Remaining > 0).Sum(l => l.Remaining), stored.OpenLots.Sum(l => l.Remaining.ToDecimal()));
        }

        return customerId;
    }

    private static bool Refused(Action apply)
    {
        try
        {
            apply();
            return false;
        }
        catch (Platform.ServiceDefaults.Errors.PreconditionFailedException)
        {
            return true;
        }
    }

    private async Task<LedgerBalances?> BalancesAsync(Guid customerId)
    {
        try
        {
            return await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private static TransferRequest ToRequest(Guid customerId, Transfer transfer)
    {
        var request = new TransferRequest { TransferId = transfer.Id.ToString(), CustomerId = customerId.ToString(), Code = transfer.Code };
        request.Legs.AddRange(transfer.Legs.Select(l => new TransferLeg
        {
            From = (WireAccount)l.From,
            To = (WireAccount)l.To,
            Amount = l.Amount.ToMoney("CNY"),
            LotExpireTime = l.LotExpiry is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        }));
        return request;
    }
}
