using Platform.BuildingBlocks.Audit;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Hold = Platform.Contracts.Billing.V1.Hold;
using RefundState = Platform.Contracts.Billing.V1.RefundState;

namespace Platform.Tests.Billing.Ledger;

/// <summary>Staged release, refunds and manual adjustments: each a ledger transfer, with maker-checker where people decide.</summary>
public sealed class ControlsTests(BillingHost host) : IClassFixture<BillingHost>
{
    private static CallOptions System => Tokens.As(Roles.Service);
    private static CallOptions Clerk => Tokens.AsUser("alice", Roles.FinanceClerk, Roles.FinanceApprover);
    private static CallOptions Approver => Tokens.AsUser("bob", Roles.FinanceApprover);

    private Holds.HoldsClient HoldsClient => new(host.Billing.Channel);

    private Refunds.RefundsClient RefundsClient => new(host.Billing.Channel);

    private Adjustments.AdjustmentsClient AdjustmentsClient => new(host.Billing.Channel);

    private async Task<decimal> BalanceAsync(Guid customerId, LedgerAccount account, decimal orMissing = 0m)
    {
        try
        {
            var balances = await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() }, System);
            return balances.Balances.Single(b => b.Account == account).Balance.ToDecimal();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return orMissing;
        }
    }

    private static HoldFundsRequest HoldRequest(Guid customerId, decimal amount) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CustomerId = customerId.ToString(),
        ContractId = Guid.CreateVersion7().ToString(),
        Milestone = "acceptance of phase 1",
        Amount = amount.ToMoney("CNY"),
    };

    private static async Task<RpcException> RefusedAsync(Func<Task> call, StatusCode code)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        return e;
    }

    [Fact]
    public async Task Held_funds_are_released_in_part_by_an_approver_and_the_rest_returns_on_cancel()
    {
        var customerId = await host.CustomerWithDepositAsync(1000m);

        var hold = await HoldsClient.HoldFundsAsync(HoldRequest(customerId, 300m), Clerk);
        Assert.Equal(700m, await BalanceAsync(customerId, LedgerAccount.PrepaidCash));
        Assert.Equal(300m, await BalanceAsync(customerId, LedgerAccount.Held));

        var released = await HoldsClient.ReleaseHoldAsync(new ReleaseHoldRequest
        {
            RequestId = Guid.NewGuid().ToString(), HoldId = hold.HoldId, Amount = 100m.ToMoney("CNY"), AcceptanceNote = "phase 1 accepted by the customer",
        }, Approver);
        Assert.Equal(HoldState.PartiallyReleased, released.State);
        Assert.Equal("bob", Assert.Single(released.Releases).ApprovedBy);
        Assert.Equal(100m, await BalanceAsync(customerId, LedgerAccount.Revenue));

        var cancelled = await HoldsClient.CancelHoldAsync(new CancelHoldRequest { RequestId = Guid.NewGuid().ToString(), HoldId = hold.HoldId, Reason = "phase 2 dropped" }, Approver);
        Assert.Equal(HoldState.Cancelled, cancelled.State);
        Assert.Equal(900m, await BalanceAsync(customerId, LedgerAccount.PrepaidCash));
        Assert.Equal(0m, await BalanceAsync(customerId, LedgerAccount.Held));
        await RefusedAsync(async () => await HoldsClient.ReleaseHoldAsync(new ReleaseHoldRequest
        {
            RequestId = Guid.NewGuid().ToString(), HoldId = hold.HoldId, AcceptanceNote = "too late",
        }, Approver), StatusCode.FailedPrecondition);

        var trail = await host.Billing.QueryAsync<BillingDb, List<string>>(db =>
            db.Set<AuditEntry>().Where(a => a.Subject == "holds/" + hold.HoldId).OrderBy(a => a.Id).Select(a => a.Action + " by " + a.Actor).ToListAsync());
        Assert.Equal(["hold.created by alice", "hold.released by bob", "hold.cancelled by bob"], trail);
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Holding_more_than_prepaid_cash_or_releasing_more_than_held_is_refused_and_stores_nothing()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);

        var e = await RefusedAsync(() => HoldsClient.HoldFundsAsync(HoldRequest(customerId, 100.01m), Clerk).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("INSUFFICIENT_BALANCE", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(0, await host.Billing.QueryAsync<BillingDb, int>(db => db.Set<Platform.Billing.Domain.Controls.Hold>().CountAsync(h => h.CustomerId == customerId)));

        var hold = await HoldsClient.HoldFundsAsync(HoldRequest(customerId, 40m), Clerk);
        var tooMuch = await RefusedAsync(() => HoldsClient.ReleaseHoldAsync(new ReleaseHoldRequest
        {
            RequestId = Guid.NewGuid().ToString(), HoldId = hold.HoldId, Amount = 41m.ToMoney("CNY"), AcceptanceNote = "accepted",
        }, Approver).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("RELEASE_EXCEEDS_HOLD", tooMuch.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        await RefusedAsync(() => HoldsClient.ReleaseHoldAsync(new ReleaseHoldRequest
        {
            RequestId = Guid.NewGuid().ToString(), HoldId = hold.HoldId, AcceptanceNote = "accepted",
        }, Tokens.As(Roles.FinanceClerk)).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal(40m, await BalanceAsync(customerId, LedgerAccount.Held));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Repeated_hold_request_holds_once_and_changed_content_is_refused_naming_the_field()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);
        var request = HoldRequest(customerId, 30m);

        var first = await HoldsClient.HoldFundsAsync(request, Clerk);
        var again = await HoldsClient.HoldFundsAsync(request, Clerk);
        request.Amount = 31m.ToMoney("CNY");
        var e = await RefusedAsync(() => HoldsClient.HoldFundsAsync(request, Clerk).ResponseAsync, StatusCode.InvalidArgument);

        Assert.Equal(first.HoldId, again.HoldId);
        Assert.StartsWith("amount", Assert.Single(e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field, StringComparison.Ordinal);
        Assert.Equal(30m, await BalanceAsync(customerId, LedgerAccount.Held));
    }

    [Fact]
    public async Task Refund_needs_a_second_person_then_is_paid_out_through_payment()
    {
        var customerId = await host.CustomerWithDepositAsync(500m);
        var refund = await RefundsClient.RequestRefundAsync(new RequestRefundRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customerId.ToString(), Amount = 480m.ToMoney("CNY"), Reason = "service cancelled",
        }, Clerk);

        var self = await RefusedAsync(() => RefundsClient.ApproveRefundAsync(
            new DecideRefundRequest { RequestId = Guid.NewGuid().ToString(), RefundId = refund.RefundId }, Clerk).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal("MAKER_CHECKER", self.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(500m, await BalanceAsync(customerId, LedgerAccount.PrepaidCash));

        var approved = await RefundsClient.ApproveRefundAsync(new DecideRefundRequest { RequestId = Guid.NewGuid().ToString(), RefundId = refund.RefundId }, Approver);
        Assert.Equal(RefundState.Approved, approved.State);
        Assert.Equal("bob", approved.DecidedBy);
        Assert.Equal(20m, await BalanceAsync(customerId, LedgerAccount.PrepaidCash));
        Assert.Equal(480m, await BalanceAsync(customerId, LedgerAccount.RefundsPayable));
        var announced = await host.Billing.QueryAsync<BillingDb, int>(db =>
            db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM outbox_messages WHERE message_type = {typeof(RefundApproved).FullName} AND payload->>'refundId' = {refund.RefundId}").SingleAsync());
        Assert.Equal(1, announced);

        var paid = new RefundPaid(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.Parse(refund.RefundId), customerId, 480m, "CNY");
        await host.PublishAsync(paid);
        await host.PublishAsync(paid); // redelivered
        var settled = await Eventually.Until(
            async () => await RefundsClient.GetRefundAsync(new GetRefundRequest { RefundId = refund.RefundId }, Clerk), r => r.State == RefundState.Paid,
            what: "RefundPaid to settle the refund");
        Assert.NotNull(settled.PaidTime);
        Assert.Equal(0m, await BalanceAsync(customerId, LedgerAccount.RefundsPayable));
        // 500 received, 50 reserved, 480 paid back: the reserve gave up 30 so clearing covers the payout.
        Assert.Equal(0m, await BalanceAsync(customerId, LedgerAccount.PaymentsClearing));
        Assert.Equal(20m, await BalanceAsync(customerId, LedgerAccount.RiskReserve));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Refunds_never_exceed_what_is_refundable_counting_pending_requests()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);
        RequestRefundRequest Request(decimal amount) => new()
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customerId.ToString(), Amount = amount.ToMoney("CNY"), Reason = "partial refund",
        };

        var first = await RefundsClient.RequestRefundAsync(Request(60m), Clerk);
        var e = await RefusedAsync(() => RefundsClient.RequestRefundAsync(Request(50m), Clerk).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("REFUND_EXCEEDS_REFUNDABLE", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        await RefundsClient.RejectRefundAsync(new DecideRefundRequest { RequestId = Guid.NewGuid().ToString(), RefundId = first.RefundId, Note = "duplicate" }, Approver);
        var second = await RefundsClient.RequestRefundAsync(Request(50m), Clerk);
        await RefundsClient.ApproveRefundAsync(new DecideRefundRequest { RequestId = Guid.NewGuid().ToString(), RefundId = second.RefundId }, Approver);
        await RefusedAsync(() => RefundsClient.RequestRefundAsync(Request(50.01m), Clerk).ResponseAsync, StatusCode.FailedPrecondition);
        await RefundsClient.RequestRefundAsync(Request(50m), Clerk);
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Failed_payout_returns_the_money_to_prepaid_cash()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);
        var refund = await RefundsClient.RequestRefundAsync(new RequestRefundRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customerId.ToString(), Amount = 70m.ToMoney("CNY"), Reason = "overpaid",
        }, Clerk);
        await RefundsClient.ApproveRefundAsync(new DecideRefundRequest { RequestId = Guid.NewGuid().ToString(), RefundId = refund.RefundId }, Approver);

        await host.PublishAsync(new RefundFailed(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.Parse(refund.RefundId), customerId, "account closed"));

        await Eventually.Until(async () => await RefundsClient.GetRefundAsync(new GetRefundRequest { RefundId = refund.RefundId }, Clerk),
            r => r.State == RefundState.Failed, what: "RefundFailed to be applied");
        Assert.Equal(100m, await BalanceAsync(customerId, LedgerAccount.PrepaidCash));
        Assert.Equal(0m, await BalanceAsync(customerId, LedgerAccount.RefundsPayable));
        await host.AssertSoundAsync(customerId);
    }

    [Fact]
    public async Task Manual_adjustment_applies_only_when_another_approver_approves_it()
    {
        var customerId = await host.CustomerWithDepositAsync(100m);
        var adjustment = await AdjustmentsClient.RequestAdjustmentAsync(new RequestAdjustmentRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customerId.ToString(),
            Reason = "goodwill credit for the outage of 3 November",
            Legs = { new TransferLeg { From = LedgerAccount.Promotions, To = LedgerAccount.PromotionalCredit, Amount = 25m.ToMoney("CNY") } },
        }, Clerk);
        Assert.Equal(0m, await BalanceAsync(customerId, LedgerAccount.PromotionalCredit));

        await RefusedAsync(() => AdjustmentsClient.ApproveAdjustmentAsync(
            new DecideAdjustmentRequest { RequestId = Guid.NewGuid().ToString(), AdjustmentId = adjustment.AdjustmentId }, Clerk).ResponseAsync, StatusCode.PermissionDenied);
        var applied = await AdjustmentsClient.ApproveAdjustmentAsync(
            new DecideAdjustmentRequest { RequestId = Guid.NewGuid().ToString(), AdjustmentId = adjustment.AdjustmentId }, Approver);
        var twice = await RefusedAsync(() => AdjustmentsClient.ApproveAdjustmentAsync(
            new DecideAdjustmentRequest { RequestId = Guid.NewGuid().ToString(), AdjustmentId = adjustment.AdjustmentId }, Tokens.AsUser("carol", Roles.FinanceApprover)).ResponseAsync,
            StatusCode.FailedPrecondition);

        Assert.Equal(AdjustmentState.Applied, applied.State);
        Assert.NotEmpty(applied.TransferId);
        Assert.Equal("ALREADY_DECIDED", twice.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(25m, await BalanceAsync(customerId, LedgerAccount.PromotionalCredit));
        await host.AssertSoundAsync(customerId);
    }
}
