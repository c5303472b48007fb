using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Billing.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Controls = Platform.Billing.Domain.Controls;

namespace Platform.Billing.Grpc;

public sealed class StatementsApi(StatementDesk desk, IdempotentRequests<BillingDb> idempotent) : Statements.StatementsBase
{
    [Authorize(Roles = Roles.Readers)]
    public override async Task<Statement> GetStatement(GetStatementRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var (start, end) = (check.RequireTime(request.StartTime, "start_time"), check.RequireTime(request.EndTime, "end_time"));
        if (start is not null && end is not null)
        {
            var span = end.Value - start.Value;
            check.Require(span > TimeSpan.Zero && span <= TimeSpan.FromDays(366), "end_time", "must be after start_time and at most a year after it");
        }

        check.ThrowIfInvalid();
        var view = await desk.StatementAsync(customerId, start!.Value, end!.Value, context.CancellationToken);
        var statement = new Statement
        {
            CustomerId = customerId.ToString(),
            StartTime = request.StartTime,
            EndTime = request.EndTime,
            OpeningBalance = view.Opening.ToMoney(view.Currency),
            ClosingBalance = view.Closing.ToMoney(view.Currency),
            TotalIn = view.Lines.Where(l => l.Amount > 0).Sum(l => l.Amount).ToMoney(view.Currency),
            TotalOut = (-view.Lines.Where(l => l.Amount < 0).Sum(l => l.Amount)).ToMoney(view.Currency),
        };
        statement.Lines.AddRange(view.Lines.Select(l => new StatementLine
        {
            PostTime = Timestamp.FromDateTimeOffset(l.PostedAt),
            TransferId = l.TransferId.ToString(),
            Code = l.Code,
            Reference = l.Reference ?? "",
            Amount = l.Amount.ToMoney(view.Currency),
            Balance = l.Balance.ToMoney(view.Currency),
        }));
        return statement;
    }

    [Authorize(Roles = $"{Roles.FinanceClerk},{Roles.FinanceApprover}")]
    public override Task<BalanceConfirmation> IssueConfirmation(IssueConfirmationRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await desk.IssueConfirmationAsync(customerId, context.CallerId(), ct)), context.CancellationToken);
    }

    /// <summary>The customer's answer arrives through a portal or a support agent, both calling with their identity.</summary>
    [Authorize(Roles = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.SupportAgent},{Roles.SupportSupervisor},{Roles.Service}")]
    public override Task<BalanceConfirmation> RespondToConfirmation(RespondToConfirmationRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var confirmationId = check.RequireGuid(request.ConfirmationId, "confirmation_id");
        check.RequireLength(request.DisputeReason, "dispute_reason", request.Confirmed ? 0 : 1, 1000);
        check.ThrowIfInvalid();
        var reason = request.DisputeReason.Length == 0 ? null : request.DisputeReason;
        return idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await desk.RespondAsync(confirmationId, request.Confirmed, reason, context.CallerId(), ct)), context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<BalanceConfirmation> GetConfirmation(GetConfirmationRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var confirmationId = check.RequireGuid(request.ConfirmationId, "confirmation_id");
        check.ThrowIfInvalid();
        return ToProto(await desk.GetConfirmationAsync(confirmationId, context.CancellationToken));
    }

    private static BalanceConfirmation ToProto(Controls.BalanceConfirmation c) => new()
    {
        ConfirmationId = c.Id.ToString(),
        CustomerId = c.CustomerId.ToString(),
        State = (ConfirmationState)c.State,
        AsOfTime = Timestamp.FromDateTimeOffset(c.AsOf),
        PrepaidCash = c.PrepaidCash.ToMoney(c.Currency.Trim()),
        PromotionalCredit = c.PromotionalCredit.ToMoney(c.Currency.Trim()),
        Held = c.Held.ToMoney(c.Currency.Trim()),
        RefundsPayable = c.RefundsPayable.ToMoney(c.Currency.Trim()),
        IssuedBy = c.IssuedBy,
        DisputeReason = c.DisputeReason ?? "",
        RespondTime = c.RespondedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };
}

public sealed class ReportsApi(StatementDesk desk) : Reports.ReportsBase
{
    [Authorize(Roles = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Administrator}")]
    public override async Task<LiabilityReport> GetLiabilityReport(GetLiabilityReportRequest request, ServerCallContext context)
    {
        var r = await desk.LiabilityAsync(context.CancellationToken);
        const string currency = MoneyExtensions.DefaultCurrency;
        return new LiabilityReport
        {
            AsOfTime = Timestamp.FromDateTimeOffset(r.AsOf),
            PrepaidLiability = (r.PrepaidCash + r.PromotionalCredit).ToMoney(currency),
            PrepaidCash = r.PrepaidCash.ToMoney(currency),
            PromotionalCredit = r.PromotionalCredit.ToMoney(currency),
            Held = r.Held.ToMoney(currency),
            RecognizedRevenue = r.Revenue.ToMoney(currency),
            RiskReserve = r.RiskReserve.ToMoney(currency),
            RefundsPayable = r.RefundsPayable.ToMoney(currency),
            ExpiringWithin30Days = r.ExpiringSoon.ToMoney(currency),
            Customers = r.Customers,
        };
    }
}
