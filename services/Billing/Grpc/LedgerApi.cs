using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Billing.Application;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using DomainLedger = Platform.Billing.Domain.Ledger;

namespace Platform.Billing.Grpc;

public sealed class LedgerApi(LedgerQueue queue, LedgerQueries queries) : Ledger.LedgerBase
{
    [Authorize(Roles = Roles.Service)]
    public override async Task<TransferResult> Transfer(TransferRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var transferId = check.RequireGuid(request.TransferId, "transfer_id");
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.RequireLength(request.Code, "code", 1, 64).RequireLength(request.Reference, "reference", 0, 200);
        var (legs, currency) = LedgerMapping.Legs(check, request.Legs);
        check.ThrowIfInvalid();
        var applied = await queue.ApplyAsync(customerId, new DomainLedger.Transfer(transferId, request.Code, legs), currency,
            request.Reference.Length == 0 ? null : request.Reference, context.CancellationToken);
        return new TransferResult
        {
            TransferId = applied.Transfer.Id.ToString(),
            Replayed = applied.Replayed,
            ApplyTime = Timestamp.FromDateTimeOffset(applied.AppliedAt),
            Balances = LedgerMapping.Balances(customerId, applied.Balances, applied.Currency, creditLimit: null, lots: []),
        };
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<LedgerBalances> GetLedgerBalances(GetLedgerBalancesRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var view = await queries.BalancesAsync(customerId, context.CancellationToken);
        return LedgerMapping.Balances(customerId, view.Balances, view.Currency, view.CreditLimit, view.Lots);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListLedgerEntriesResponse> ListLedgerEntries(ListLedgerEntriesRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        check.Require(request.PageSize is >= 0 and <= 500, "page_size", "must be 0-500");
        check.Require(System.Enum.IsDefined(request.Account), "account", "must be a ledger account");
        long? after = null;
        if (request.PageToken.Length > 0)
        {
            check.Require(long.TryParse(request.PageToken, out var token) && token > 0, "page_token", "is not a token this list answered");
            after = token;
        }

        check.ThrowIfInvalid();
        var size = request.PageSize == 0 ? 50 : request.PageSize;
        var account = request.Account == LedgerAccount.Unspecified ? (DomainLedger.LedgerAccount?)null : (DomainLedger.LedgerAccount)request.Account;
        var page = await queries.EntriesAsync(customerId, account, after, size, context.CancellationToken);
        var response = new ListLedgerEntriesResponse { NextPageToken = page.Count == size + 1 ? page[size - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "" };
        response.Entries.AddRange(page.Take(size).Select(e => new LedgerEntry
        {
            TransferId = e.TransferId.ToString(),
            Code = e.Code,
            Leg = e.Leg,
            Account = (LedgerAccount)e.Account,
            Debit = e.Debit,
            Amount = e.Amount.ToMoney(e.Currency),
            BalanceAfter = e.BalanceAfter.ToMoney(e.Currency),
            PostTime = Timestamp.FromDateTimeOffset(e.PostedAt),
        }));
        return response;
    }

    [Authorize(Roles = $"{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Administrator},{Roles.Service}")]
    public override async Task<LedgerCheck> CheckLedger(CheckLedgerRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.OptionalGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var result = await queries.CheckAsync(customerId, context.CancellationToken);
        var response = new LedgerCheck
        {
            Sound = result.Violations.Count == 0,
            CustomersChecked = result.CustomersChecked,
            CheckTime = Timestamp.FromDateTimeOffset(result.CheckedAt),
        };
        response.Violations.AddRange(result.Violations);
        return response;
    }
}

internal static class LedgerMapping
{
    /// <summary>Parses transfer legs, naming each bad field legs[i].…; all amounts must share one currency.</summary>
    public static (List<DomainLedger.Leg> Legs, string Currency) Legs(Validator check, IList<TransferLeg> legs)
    {
        check.Require(legs.Count is > 0 and <= 20, "legs", "1-20 legs");
        var currency = MoneyValidation.CurrencyOf(legs.Select(l => l.Amount).FirstOrDefault(m => !string.IsNullOrEmpty(m?.CurrencyCode)));
        var parsed = new List<DomainLedger.Leg>();
        for (var i = 0; i < legs.Count; i++)
        {
            var leg = legs[i];
            check.Require(leg.From != LedgerAccount.Unspecified && System.Enum.IsDefined(leg.From), $"legs[{i}].from", "must be a ledger account");
            check.Require(leg.To != LedgerAccount.Unspecified && System.Enum.IsDefined(leg.To), $"legs[{i}].to", "must be a ledger account");
            var amount = check.RequirePositiveAmount(leg.Amount, $"legs[{i}].amount", currency);
            parsed.Add(new DomainLedger.Leg((DomainLedger.LedgerAccount)leg.From, (DomainLedger.LedgerAccount)leg.To, amount,
                check.OptionalTime(leg.LotExpireTime, $"legs[{i}].lot_expire_time")));
        }

        return (parsed, currency);
    }

    public static TransferLeg ToProto(DomainLedger.Leg leg, string currency) => new()
    {
        From = (LedgerAccount)leg.From,
        To = (LedgerAccount)leg.To,
        Amount = leg.Amount.ToMoney(currency),
        LotExpireTime = leg.LotExpiry is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };

    public static LedgerBalances Balances(Guid customerId, IReadOnlyDictionary<DomainLedger.LedgerAccount, decimal> balances, string currency,
        decimal? creditLimit, IEnumerable<DomainLedger.Lot> lots)
    {
        var result = new LedgerBalances
        {
            CustomerId = customerId.ToString(),
            Available = (balances[DomainLedger.LedgerAccount.PrepaidCash] + balances[DomainLedger.LedgerAccount.PromotionalCredit]).ToMoney(currency),
            CreditLimit = creditLimit?.ToMoney(currency),
        };
        result.Balances.AddRange(balances.OrderBy(b => b.Key).Select(b => new AccountBalance { Account = (LedgerAccount)b.Key, Balance = b.Value.ToMoney(currency) }));
        result.OpenLots.AddRange(lots.Select(l => new PrepaidLot
        {
            LotId = l.Id.ToString(),
            Original = l.Original.ToMoney(currency),
            Remaining = l.Remaining.ToMoney(currency),
            ExpireTime = l.ExpiresAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        }));
        return result;
    }
}
