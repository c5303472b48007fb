using Google.Protobuf.WellKnownTypes;
using Platform.BuildingBlocks.Money;
using Platform.Payment.Collections.Application;
using Platform.ServiceDefaults.Errors;
using Domain = Platform.Payment.Collections.Domain;
using Proto = Platform.Contracts.Payment.V1;

namespace Platform.Payment.Collections.Grpc;

internal static class CollectionsMapping
{
    public static Proto.CollectionCase ToProto(Domain.CollectionCase c, IEnumerable<Domain.Negotiation> negotiations, Domain.DunningLadder ladder)
    {
        var proto = new Proto.CollectionCase
        {
            CaseId = c.Id.ToString(),
            InvoiceId = c.InvoiceId.ToString(),
            InvoiceNumber = c.InvoiceNumber,
            CustomerId = c.CustomerId.ToString(),
            ContractId = c.ContractId?.ToString() ?? "",
            OwnerId = c.OwnerId?.ToString() ?? "",
            Stage = (Proto.DunningStage)(int)c.Stage,
            AmountDue = c.AmountDue.ToMoney(c.Currency),
            DueTime = Timestamp.FromDateTimeOffset(c.DueDate),
            AnchorTime = Timestamp.FromDateTimeOffset(c.Anchor),
            Open = c.IsOpen,
            CloseReason = c.CloseReason ?? "",
            ContractSuspended = c.ContractSuspended,
            OpenTime = Timestamp.FromDateTimeOffset(c.OpenedAt),
            CloseTime = c.ClosedAt is { } closed ? Timestamp.FromDateTimeOffset(closed) : null,
        };
        if (c.IsOpen && ladder.After(c.Stage) is { } next)
        {
            proto.NextStage = (Proto.DunningStage)(int)next.Stage;
            proto.NextStageTime = c.NextStageAt(ladder) is { } at ? Timestamp.FromDateTimeOffset(at) : null;
        }

        if (c.PromiseState is { } state)
        {
            proto.Promise = new Proto.PromiseToPay
            {
                Amount = (c.PromiseAmount ?? 0m).ToMoney(c.Currency),
                PromisedDate = c.PromiseDate is { } d ? ToProto(d) : null,
                Paid = c.PromisePaid.ToMoney(c.Currency),
                State = (Proto.PromiseState)(int)state,
                RecordedBy = c.PromiseRecordedBy ?? "",
            };
        }

        proto.Negotiations.AddRange(negotiations.Select(n => new Proto.Negotiation
        {
            Strategy = n.Strategy,
            Outcome = n.Outcome,
            Note = n.Note,
            RecordedBy = n.RecordedBy,
            RecordTime = Timestamp.FromDateTimeOffset(n.RecordedAt),
        }));
        return proto;
    }

    public static Proto.AgingBuckets ToProto(Domain.AgingBuckets b, string currency) => new()
    {
        Current = b.Current.ToMoney(currency),
        Days130 = b.Days1To30.ToMoney(currency),
        Days3160 = b.Days31To60.ToMoney(currency),
        Days6190 = b.Days61To90.ToMoney(currency),
        Over90 = b.Over90.ToMoney(currency),
        Total = b.Total.ToMoney(currency),
    };

    public static Proto.Aging ToProto(AgingReport report)
    {
        var proto = new Proto.Aging { AsOf = ToProto(report.AsOf), Total = ToProto(report.Total, report.Currency) };
        proto.Customers.AddRange(report.PerCustomer.Select(p => new Proto.CustomerAging { CustomerId = p.Key.ToString(), Buckets = ToProto(p.Value, report.Currency) }));
        return proto;
    }

    public static Google.Type.Date ToProto(DateOnly d) => new() { Year = d.Year, Month = d.Month, Day = d.Day };

    /// <summary>A calendar date; null (and a violation when required) when unset or not a real day.</summary>
    public static DateOnly? Date(this Validator check, Google.Type.Date? date, string field, bool required)
    {
        if (date is null || (date.Year == 0 && date.Month == 0 && date.Day == 0))
        {
            check.Require(!required, field, "is required");
            return null;
        }

        if (date.Year is < 1 or > 9999 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
        {
            check.Require(false, field, "must be a valid calendar date");
            return null;
        }

        return new DateOnly(date.Year, date.Month, date.Day);
    }

    public static void RequestId(this Validator check, string requestId) => check.RequireLength(requestId, "request_id", 1, 128);
}
