using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.Customer.Engagement.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Proto = Platform.Contracts.Customer.V1;

namespace Platform.Customer.Engagement.Grpc;

/// <summary>Role sets and message mapping shared by the engagement APIs.</summary>
internal static class EngagementMapping
{
    public const string Sales = $"{Roles.SalesRep},{Roles.SalesManager},{Roles.Administrator}";
    public const string Managers = $"{Roles.SalesManager},{Roles.Administrator}";
    public static Timestamp ToTimestamp(this DateTimeOffset at) => Timestamp.FromDateTimeOffset(at);

    public static Timestamp? ToTimestamp(this DateTimeOffset? at) => at is { } a ? Timestamp.FromDateTimeOffset(a) : null;

    public static void RequireRequestId(this Validator check, string requestId) => check.RequireLength(requestId, "request_id", 1, 128);

    /// <summary>A money amount that is present, not negative, with a currency (or none, meaning the default).</summary>
    public static (decimal Amount, string Currency) RequireMoney(this Validator check, Google.Type.Money? money, string field, bool required)
    {
        if (money is null)
        {
            check.Require(!required, field, "is required");
            return (0m, MoneyExtensions.DefaultCurrency);
        }

        var amount = money.ToDecimal();
        check.Require(amount >= 0 && money.Units >= 0 && money.Nanos >= 0, field, "must not be negative");
        check.RequireStorable(amount, field);
        check.Require(money.CurrencyCode.Length is 0 or 3, field + ".currency_code", "must be an ISO 4217 code");
        return (amount, money.CurrencyCode.Length == 0 ? MoneyExtensions.DefaultCurrency : money.CurrencyCode.ToUpperInvariant());
    }

    public static Proto.FollowUpTask ToProto(this FollowUpTask t) => new()
    {
        TaskId = t.Id.ToString(),
        CustomerId = t.CustomerId.ToString(),
        OwnerId = t.OwnerId.ToString(),
        IntentGrade = (Proto.IntentGrade)(int)t.Grade,
        Channel = (Proto.InteractionKind)(int)t.Channel,
        DueTime = t.DueAt.ToTimestamp(),
        State = (Proto.FollowUpTaskState)(int)t.State,
        CompletionTime = t.CompletedAt.ToTimestamp(),
        OverdueRaised = t.OverdueRaisedAt is not null,
    };

    public static Proto.Interaction ToProto(this Interaction i) => new()
    {
        InteractionId = i.Id.ToString(),
        CustomerId = i.CustomerId.ToString(),
        TaskId = i.TaskId?.ToString() ?? "",
        Kind = (Proto.InteractionKind)(int)i.Kind,
        Outcome = i.Outcome,
        RecordedBy = i.RecordedBy,
        OccurTime = i.OccurredAt.ToTimestamp(),
    };

    public static Proto.CadencePolicy ToProto(this CadencePolicy p)
    {
        var proto = new Proto.CadencePolicy { IntentGrade = (Proto.IntentGrade)(int)p.Grade, IntervalDays = p.IntervalDays, Description = p.Description };
        proto.Channels.AddRange(p.ChannelList.Select(c => (Proto.InteractionKind)(int)c));
        return proto;
    }

    public static Proto.IntentGradeChange ToProto(this IntentGradeRecord r) => new()
    {
        CustomerId = r.CustomerId.ToString(),
        From = (Proto.IntentGrade)(int)r.From,
        To = (Proto.IntentGrade)(int)r.To,
        Reason = r.Reason,
        ChangedBy = r.ChangedBy,
        ChangeTime = r.ChangedAt.ToTimestamp(),
    };

    public static Proto.Opportunity ToProto(this Opportunity o, IEnumerable<OpportunityStageChange> history)
    {
        var proto = new Proto.Opportunity
        {
            OpportunityId = o.Id.ToString(),
            CustomerId = o.CustomerId.ToString(),
            OwnerId = o.OwnerId.ToString(),
            Title = o.Title,
            Stage = (Proto.OpportunityStage)(int)o.Stage,
            Amount = o.Amount.ToMoney(o.Currency),
            ExpectedCloseTime = o.ExpectedCloseAt.ToTimestamp(),
            Probability = o.Probability,
            LostReason = o.LostReason ?? "",
            CreateTime = o.CreatedAt.ToTimestamp(),
        };
        proto.History.AddRange(history.Select(h => new Proto.OpportunityStageChange
        {
            From = (Proto.OpportunityStage)(int)h.From,
            To = (Proto.OpportunityStage)(int)h.To,
            ChangedBy = h.ChangedBy,
            ChangeTime = h.ChangedAt.ToTimestamp(),
        }));
        return proto;
    }
}
