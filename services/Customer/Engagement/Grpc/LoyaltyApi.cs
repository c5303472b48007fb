using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Data;
using Platform.Customer.Engagement.Application;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Engagement.Grpc;

public sealed class LoyaltyApi(LoyaltyBook book, IntentGrading customers, IdempotentRequests<CustomerDb> idempotent) : Loyalty.LoyaltyBase
{
    private const string Redeemers = $"{EngagementMapping.Sales},{Roles.SupportAgent},{Roles.SupportSupervisor}";

    [Authorize(Roles = Roles.Readers)]
    public override async Task<LoyaltyBalance> GetLoyaltyBalance(GetLoyaltyBalanceRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        await customers.RequireCustomerAsync(id, context.CancellationToken);
        var points = await book.BalanceAsync(id, context.CancellationToken);
        return new LoyaltyBalance
        {
            CustomerId = id.ToString(),
            Points = points,
            CreditValue = book.Rules.CreditFor(points).ToMoney(MoneyExtensions.DefaultCurrency),
        };
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListLoyaltyHistoryResponse> ListLoyaltyHistory(ListLoyaltyHistoryRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.CustomerId, "customer_id");
        var size = PageToken.Size(request.PageSize, check);
        var after = PageToken.Decode(request.PageToken, check);
        check.ThrowIfInvalid();
        var entries = await book.HistoryAsync(id, after?.Id, size, context.CancellationToken);
        var response = new ListLoyaltyHistoryResponse();
        response.Entries.AddRange(entries.Take(size).Select(e => new LoyaltyEntry
        {
            EntryId = e.Id.ToString(),
            Kind = (LoyaltyEntryKind)(int)e.Kind,
            Points = e.Points,
            SourceId = e.SourceId.ToString(),
            OccurTime = e.OccurredAt.ToTimestamp(),
        }));
        if (entries.Count > size)
        {
            response.NextPageToken = PageToken.Encode(entries[size - 1].Id);
        }

        return response;
    }

    [Authorize(Roles = EngagementMapping.Sales)]
    public override Task<Referral> RecordReferral(RecordReferralRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireRequestId(request.RequestId);
        var referrer = check.RequireGuid(request.ReferrerCustomerId, "referrer_customer_id");
        var referred = check.RequireGuid(request.ReferredCustomerId, "referred_customer_id");
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            var referral = await book.RecordReferralAsync(referrer, referred, ct);
            return new Referral
            {
                ReferrerCustomerId = referrer.ToString(),
                ReferredCustomerId = referred.ToString(),
                Rewarded = referral.RewardedAt is not null,
                CreateTime = referral.CreatedAt.ToTimestamp(),
            };
        }, context.CancellationToken);
    }

    [Authorize(Roles = Redeemers)]
    public override Task<Redemption> RedeemPoints(RedeemPointsRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequireRequestId(request.RequestId);
        var id = check.RequireGuid(request.CustomerId, "customer_id");
        check.Require(request.Points >= book.Rules.MinimumRedemption, "points", $"must be at least {book.Rules.MinimumRedemption}");
        check.ThrowIfInvalid();
        return idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            var (entry, credit, balance) = await book.RedeemAsync(id, request.Points, ct);
            return new Redemption
            {
                RedemptionId = entry.SourceId.ToString(),
                CustomerId = id.ToString(),
                Points = request.Points,
                Credit = credit.ToMoney(MoneyExtensions.DefaultCurrency),
                Balance = balance,
            };
        }, context.CancellationToken);
    }
}
