using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Commerce.Grpc.CommerceMapping;
using Domain = Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Grpc;

public sealed class EntitlementsApi(EntitlementService entitlements, IdempotentRequests<BillingDb> idempotent) : Entitlements.EntitlementsBase
{
    private const string Changers = $"{Roles.Service},{Finance}";

    [Authorize(Roles = Changers)]
    public override Task<Entitlement> SuspendContract(SuspendContractRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.RequestId, request.ContractId, request.Reason, entitlements.SuspendAsync, context);

    [Authorize(Roles = Changers)]
    public override Task<Entitlement> ResumeContract(ResumeContractRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.RequestId, request.ContractId, request.Reason, entitlements.ResumeAsync, context);

    [Authorize(Roles = Changers)]
    public override Task<Entitlement> TerminateContract(TerminateContractRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.RequestId, request.ContractId, request.Reason, entitlements.TerminateAsync, context);

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Entitlement> GetEntitlement(GetEntitlementRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.ContractId, "contract_id");
        check.ThrowIfInvalid();
        return ToProto(await entitlements.GetAsync(id, context.CancellationToken));
    }

    private async Task<Entitlement> ChangeAsync<TRequest>(TRequest request, string requestId, string contractId, string reason,
        Func<Guid, string, CancellationToken, Task<Domain.Contract>> change, ServerCallContext context)
        where TRequest : Google.Protobuf.IMessage<TRequest>
    {
        var check = new Validator();
        check.RequestId(requestId);
        var id = check.RequireGuid(contractId, "contract_id");
        check.RequireLength(reason.Trim(), "reason", 1, 500);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(requestId, request, async ct => ToProto(await change(id, reason.Trim(), ct)), context.CancellationToken);
    }

    private static Entitlement ToProto(Domain.Contract c) => new()
    {
        ContractId = c.Id.ToString(),
        CustomerId = c.CustomerId.ToString(),
        State = c.State == Domain.ContractState.Signed ? (EntitlementState)(int)c.Entitlement : EntitlementState.Unspecified,
        Reason = c.EntitlementReason ?? "",
        ChangeTime = Ts(c.EntitlementChangedAt),
    };
}
