using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Billing.Commerce.Consumption.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Platform.Billing.Commerce.Grpc;
using static Platform.Billing.Commerce.Grpc.CommerceMapping;
using Domain = Platform.Billing.Commerce.Consumption.Domain;

namespace Platform.Billing.Commerce.Consumption.Grpc;

/// <summary>Usage of extra services charged to contracts, and the charges of a contract.</summary>
public sealed class ConsumptionApi(UsageDesk usage, ChargeDesk charges, IdempotentRequests<BillingDb> idempotent)
    : Platform.Contracts.Billing.V1.Consumption.ConsumptionBase
{
    private const string Callers = $"{Finance},{Roles.Service}";

    [Authorize(Roles = Callers)]
    public override async Task<Charge> RecordUsage(RecordUsageRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var contractId = check.RequireGuid(request.ContractId, "contract_id");
        check.Require(request.FeeItemCode.Length is > 0 and <= 64, "fee_item_code", "is required (1-64 characters)")
            .Require(request.Quantity is > 0 and <= 100_000, "quantity", "must be 1-100000");
        var usageTime = check.RequireTime(request.UsageTime, "usage_time");
        check.ThrowIfInvalid();
        var record = new UsageRecord(contractId, request.FeeItemCode, request.Quantity, usageTime!.Value, request.RequestId);
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await usage.RecordAsync(record, ct)), context.CancellationToken);
    }

    [Authorize(Roles = Callers)]
    public override async Task<ListChargesResponse> ListCharges(ListChargesRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var contractId = check.RequireGuid(request.ContractId, "contract_id");
        var after = check.OptionalGuid(request.PageToken, "page_token");
        check.Require(request.PageSize is >= 0 and <= 500, "page_size", "must be 0-500");
        check.ThrowIfInvalid();
        var (page, next) = await charges.ListAsync(contractId, request.PageSize == 0 ? 50 : request.PageSize, after, context.CancellationToken);
        var answer = new ListChargesResponse { NextPageToken = next?.ToString() ?? "" };
        answer.Charges.AddRange(page.Select(ToProto));
        return answer;
    }

    private static Charge ToProto(Domain.ContractCharge c) => new()
    {
        ChargeId = c.Id.ToString(),
        ContractId = c.ContractId.ToString(),
        CustomerId = c.CustomerId.ToString(),
        FeeItemCode = c.FeeItemCode,
        Kind = CommerceMapping.ToProto(c.Kind),
        Period = c.Period,
        Quantity = c.Quantity,
        Amount = c.Amount.ToMoney(c.Currency.Trim()),
        DueTime = Ts(c.DueAt),
        Settlement = (ChargeSettlement)(int)c.Settlement,
        TransferId = c.TransferId?.ToString() ?? "",
        InvoiceId = c.InvoiceId?.ToString() ?? "",
        ChargeTime = Ts(c.ChargedAt),
    };
}
