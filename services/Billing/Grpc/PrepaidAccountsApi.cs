using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Billing.Application;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Grpc;

public sealed class PrepaidAccountsApi(PrepaidAccountBook book) : PrepaidAccounts.PrepaidAccountsBase
{
    [Authorize(Roles = Roles.Readers)]
    public override async Task<PrepaidBalance> GetPrepaidBalance(GetPrepaidBalanceRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();

        var view = await book.GetBalanceAsync(customerId, context.CancellationToken);
        return new PrepaidBalance
        {
            CustomerId = view.CustomerId.ToString(),
            State = view.Account is null ? AccountState.Pending : AccountState.Open,
            Available = view.Available.ToMoney(view.Currency),
            OpenTime = view.Account is null ? null : Timestamp.FromDateTimeOffset(view.Account.OpenedAt),
        };
    }
}
