using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Checks.Application;
using Platform.Payment.Data;
using Platform.Payment.Recording.Application;
using Platform.Payment.Recording.Grpc;
using Platform.Payment.VirtualAccounts.Application;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.VirtualAccounts.Grpc;

public sealed class VirtualAccountsApi(VirtualAccountBook accounts, IncomingTransfers transfers, PaymentMapping map, PayerCheck payers,
    IdempotentRequests<PaymentDb> idempotent, IOptions<RecordingOptions> options, TimeProvider clock) : Contracts.Payment.V1.VirtualAccounts.VirtualAccountsBase
{
    /// <summary>The bank's notification arrives through an integration (service) or is keyed in from a statement by finance.</summary>
    private const string TransferRecorders = $"{Roles.Service},{PaymentMapping.Recorders}";

    [Authorize(Roles = Roles.Readers)]
    public override async Task<VirtualAccount> GetVirtualAccount(GetVirtualAccountRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        return ToProto(await accounts.GetAsync(customerId, context.CancellationToken));
    }

    [Authorize(Roles = TransferRecorders)]
    public override async Task<VirtualAccount> AssignVirtualAccount(AssignVirtualAccountRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct =>
            {
                await payers.EnsureAsync(customerId, "customer_id", ct);
                return ToProto(await accounts.AssignAsync(customerId, context.CallerId(), ct));
            }, context.CancellationToken);
    }

    [Authorize(Roles = TransferRecorders)]
    public override async Task<Contracts.Payment.V1.Payment> RecordIncomingTransfer(RecordIncomingTransferRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var number = check.Required(request.VirtualAccountNumber, "virtual_account_number", 34);
        var amount = check.RequirePositiveAmount(request.Amount, "amount", options.Value.Currency);
        var reference = check.Required(request.Reference, "reference", 128);
        var payerName = check.Optional(request.PayerName, "payer_name", 100);
        var payerAccount = check.Optional(request.PayerAccount, "payer_account", 64);
        var bookedAt = check.PastTime(request.BookedTime, "booked_time", clock.GetUtcNow(), options.Value.MaxClockSkew, required: true);
        check.ThrowIfInvalid();
        var transfer = new IncomingTransfer(number, amount, reference, payerName, payerAccount, bookedAt!.Value);
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await transfers.RecordAsync(transfer, context.CallerId(), ct), context), context.CancellationToken);
    }

    private static VirtualAccount ToProto(Domain.VirtualAccount a) => new()
    {
        CustomerId = a.CustomerId.ToString(),
        Number = a.Number,
        CreateTime = PaymentMapping.Ts(a.CreatedAt),
    };
}
