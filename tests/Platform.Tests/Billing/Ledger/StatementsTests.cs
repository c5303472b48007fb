using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Billing.Ledger;

/// <summary>Statements from the ledger, balance confirmations answered once, and the liability report.</summary>
public sealed class StatementsTests(BillingHost host) : IClassFixture<BillingHost>
{
    private static CallOptions Service => Tokens.As(Roles.Service);
    private static CallOptions Finance => Tokens.AsUser("alice", Roles.FinanceClerk);

    private Statements.StatementsClient Client => new(host.Billing.Channel);

    private Task<TransferResult> MoveAsync(Guid customerId, LedgerAccount from, LedgerAccount to, decimal amount) => host.Ledger.TransferAsync(new TransferRequest
    {
        TransferId = Guid.CreateVersion7().ToString(),
        CustomerId = customerId.ToString(),
        Code = $"test.{from}.{to}".ToLowerInvariant(),
        Reference = "statement test",
        Legs = { new TransferLeg { From = from, To = to, Amount = amount.ToMoney("CNY") } },
    }, Service).ResponseAsync;

    [Fact]
    public async Task Statement_shows_opening_every_movement_and_closing()
    {
        var customerId = await host.CustomerWithDepositAsync(300m);
        var start = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await MoveAsync(customerId, LedgerAccount.PrepaidCash, LedgerAccount.Revenue, 120m);
        await MoveAsync(customerId, LedgerAccount.Promotions, LedgerAccount.PromotionalCredit, 15m);
        await MoveAsync(customerId, LedgerAccount.PrepaidCash, LedgerAccount.Held, 50m);
        await MoveAsync(customerId, LedgerAccount.Held, LedgerAccount.Revenue, 50m); // not spendable money: no line

        var statement = await Client.GetStatementAsync(new GetStatementRequest
        {
            CustomerId = customerId.ToString(),
            StartTime = Timestamp.FromDateTimeOffset(start),
            EndTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(1)),
        }, Finance);

        Assert.Equal(300m, statement.OpeningBalance.ToDecimal());
        Assert.Equal([-120m, 15m, -50m], statement.Lines.Select(l => l.Amount.ToDecimal()));
        Assert.Equal([180m, 195m, 145m], statement.Lines.Select(l => l.Balance.ToDecimal()));
        Assert.Equal(145m, statement.ClosingBalance.ToDecimal());
        Assert.Equal(15m, statement.TotalIn.ToDecimal());
        Assert.Equal(170m, statement.TotalOut.ToDecimal());
        Assert.Equal("statement test", statement.Lines[0].Reference);
    }

    [Fact]
    public async Task Statement_period_must_be_ordered_and_at_most_a_year()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await Client.GetStatementAsync(new GetStatementRequest
        {
            CustomerId = Guid.CreateVersion7().ToString(),
            StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            EndTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
        }, Finance));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("end_time", Assert.Single(e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task Confirmation_states_the_balances_and_is_answered_once()
    {
        var customerId = await host.CustomerWithDepositAsync(90m);
        await MoveAsync(customerId, LedgerAccount.PrepaidCash, LedgerAccount.Held, 40m);

        var letter = await Client.IssueConfirmationAsync(new IssueConfirmationRequest { RequestId = Guid.NewGuid().ToString(), CustomerId = customerId.ToString() }, Finance);
        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await Client.RespondToConfirmationAsync(new RespondToConfirmationRequest
        {
            RequestId = Guid.NewGuid().ToString(), ConfirmationId = letter.ConfirmationId, Confirmed = false,
        }, Tokens.As(Roles.SupportAgent)));
        var disputed = await Client.RespondToConfirmationAsync(new RespondToConfirmationRequest
        {
            RequestId = Guid.NewGuid().ToString(), ConfirmationId = letter.ConfirmationId, Confirmed = false, DisputeReason = "the 40 held was never agreed",
        }, Tokens.As(Roles.SupportAgent));
        var again = await Assert.ThrowsAsync<RpcException>(async () => await Client.RespondToConfirmationAsync(new RespondToConfirmationRequest
        {
            RequestId = Guid.NewGuid().ToString(), ConfirmationId = letter.ConfirmationId, Confirmed = true,
        }, Tokens.As(Roles.SupportAgent)));

        Assert.Equal(50m, letter.PrepaidCash.ToDecimal());
        Assert.Equal(40m, letter.Held.ToDecimal());
        Assert.Equal("alice", letter.IssuedBy);
        Assert.Equal("dispute_reason", Assert.Single(noReason.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
        Assert.Equal(ConfirmationState.Disputed, disputed.State);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task Liability_report_adds_up_the_books()
    {
        var before = await new Reports.ReportsClient(host.Billing.Channel).GetLiabilityReportAsync(new GetLiabilityReportRequest(), Finance);
        var customerId = await host.CustomerWithDepositAsync(1000m);
        await MoveAsync(customerId, LedgerAccount.PrepaidCash, LedgerAccount.Held, 300m);
        await MoveAsync(customerId, LedgerAccount.Held, LedgerAccount.Revenue, 100m);

        var after = await new Reports.ReportsClient(host.Billing.Channel).GetLiabilityReportAsync(new GetLiabilityReportRequest(), Finance);

        Assert.Equal(700m, after.PrepaidCash.ToDecimal() - before.PrepaidCash.ToDecimal());
        Assert.Equal(200m, after.Held.ToDecimal() - before.Held.ToDecimal());
        Assert.Equal(100m, after.RecognizedRevenue.ToDecimal() - before.RecognizedRevenue.ToDecimal());
        Assert.Equal(100m, after.RiskReserve.ToDecimal() - before.RiskReserve.ToDecimal());
        Assert.Equal(1, after.Customers - before.Customers);
    }
}
