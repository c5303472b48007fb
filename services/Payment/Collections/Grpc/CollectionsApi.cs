using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Collections.Application;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using static Platform.Payment.Collections.Grpc.CollectionsMapping;
using Domain = Platform.Payment.Collections.Domain;

namespace Platform.Payment.Collections.Grpc;

/// <summary>Receivables (aging, DSO) and collections cases over gRPC: map, authorize, call the desk.</summary>
public sealed class CollectionsApi(CollectionsDesk desk, ReceivablesQueries receivables, PaymentDb db, IdempotentRequests<PaymentDb> idempotent, TimeProvider clock)
    : Contracts.Payment.V1.Collections.CollectionsBase
{
    private const string Collectors = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Administrator}";

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Aging> GetAging(GetAgingRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.OptionalGuid(request.CustomerId, "customer_id");
        var asOf = check.Date(request.AsOf, "as_of", required: false) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        check.ThrowIfInvalid();
        return ToProto(await receivables.AgingAsync(customer, asOf, MoneyExtensions.DefaultCurrency, context.CancellationToken));
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Dso> GetDso(GetDsoRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.OptionalGuid(request.CustomerId, "customer_id");
        var start = check.Date(request.StartDate, "start_date", required: true);
        var end = check.Date(request.EndDate, "end_date", required: true);
        check.Require(start is null || end is null || start <= end, "end_date", "must not be before start_date");
        check.ThrowIfInvalid();
        var report = await receivables.DsoAsync(customer, start!.Value, end!.Value, MoneyExtensions.DefaultCurrency, context.CancellationToken);
        return new Dso
        {
            Receivables = report.Receivables.ToMoney(report.Currency),
            CreditSales = report.CreditSales.ToMoney(report.Currency),
            Days = report.Days,
            Dso_ = report.Dso,
        };
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<CollectionCase> GetCase(GetCaseRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.CaseId, "case_id");
        check.ThrowIfInvalid();
        var @case = await db.Set<Domain.CollectionCase>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, context.CancellationToken)
            ?? throw new NotFoundException("collection case", id.ToString());
        return await ViewAsync(@case, context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListCasesResponse> ListCases(ListCasesRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.OptionalGuid(request.CustomerId, "customer_id");
        var owner = check.OptionalGuid(request.OwnerId, "owner_id");
        var after = check.OptionalGuid(request.PageToken, "page_token");
        check.Require(request.PageSize is >= 0 and <= 200, "page_size", "must be 0-200 (0 means 50)");
        check.Require(Enum.IsDefined(request.Stage), "stage", "is not a dunning stage");
        check.ThrowIfInvalid();

        var cases = db.Set<Domain.CollectionCase>().AsNoTracking();
        if (request.Stage != DunningStage.Unspecified)
        {
            var stage = (Domain.DunningStage)(int)request.Stage;
            cases = cases.Where(c => c.Stage == stage);
        }

        if (customer is { } c1)
        {
            cases = cases.Where(c => c.CustomerId == c1);
        }

        if (owner is { } o)
        {
            cases = cases.Where(c => c.OwnerId == o);
        }

        if (request.HasOpen)
        {
            cases = cases.Where(c => c.IsOpen == request.Open);
        }

        if (after is { } a)
        {
            cases = cases.Where(c => c.Id.CompareTo(a) > 0);
        }

        var size = request.PageSize == 0 ? 50 : request.PageSize;
        var page = await cases.OrderBy(c => c.Id).Take(size + 1).ToListAsync(context.CancellationToken);
        var response = new ListCasesResponse();
        foreach (var @case in page.Take(size))
        {
            response.Cases.Add(await ViewAsync(@case, context.CancellationToken));
        }

        response.NextPageToken = page.Count > size ? page[size - 1].Id.ToString() : "";
        return response;
    }

    [Authorize(Roles = Collectors)]
    public override async Task<CollectionCase> RecordNegotiation(RecordNegotiationRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.CaseId, "case_id");
        check.RequireLength(request.Strategy.Trim(), "strategy", 1, 100);
        check.RequireLength(request.Outcome.Trim(), "outcome", 1, 200);
        check.RequireLength(request.Note, "note", 0, 2000);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => await ViewAsync(
            await desk.RecordNegotiationAsync(id, request.Strategy.Trim(), request.Outcome.Trim(), request.Note, context.CallerId(), ct), ct),
            context.CancellationToken);
    }

    [Authorize(Roles = Collectors)]
    public override async Task<CollectionCase> RecordPromiseToPay(RecordPromiseToPayRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.CaseId, "case_id");
        var currency = MoneyValidation.CurrencyOf(request.Amount);
        var amount = check.RequirePositiveAmount(request.Amount, "amount", currency);
        var date = check.Date(request.PromisedDate, "promised_date", required: true);
        check.RequireLength(request.Note, "note", 0, 2000);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => await ViewAsync(
            await desk.RecordPromiseAsync(id, amount, currency, date!.Value, request.Note, context.CallerId(), ct), ct),
            context.CancellationToken);
    }

    /// <summary>A write-off is a finance decision: approvers and administrators only.</summary>
    [Authorize(Roles = $"{Roles.FinanceApprover},{Roles.Administrator}")]
    public override async Task<CollectionCase> WriteOffCase(WriteOffCaseRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.CaseId, "case_id");
        var reason = request.Reason.Trim();
        check.RequireLength(reason, "reason", 1, 500);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => await ViewAsync(
            await desk.WriteOffAsync(id, reason, context.CallerId(), ct), ct), context.CancellationToken);
    }

    private async Task<CollectionCase> ViewAsync(Domain.CollectionCase @case, CancellationToken ct)
    {
        var negotiations = await db.Set<Domain.Negotiation>().AsNoTracking().Where(n => n.CaseId == @case.Id).OrderBy(n => n.RecordedAt).ToListAsync(ct);
        return ToProto(@case, negotiations, desk.Ladder);
    }
}
