using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Engagement.Application;
using Platform.ServiceDefaults.Errors;
using EngagementDomain = Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Grpc;

public sealed class InsightApi(InsightReports reports) : Insight.InsightBase
{
    private static readonly TimeSpan LongestPeriod = TimeSpan.FromDays(366);

    [Authorize(Roles = EngagementMapping.Managers)]
    public override async Task<CustomerInsight> GetCustomerInsight(GetCustomerInsightRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var period = RequirePeriod(request.PeriodStart, request.PeriodEnd, check);
        check.Require(System.Enum.IsDefined(request.SegmentBy), "segment_by", "is not a segment dimension");
        check.ThrowIfInvalid();
        var segments = await reports.CustomerInsightAsync(period!, (Segmentation)(int)request.SegmentBy, context.CancellationToken);
        var response = new CustomerInsight
        {
            PeriodStart = request.PeriodStart,
            PeriodEnd = request.PeriodEnd,
            PreviousPeriodStart = Timestamp.FromDateTimeOffset(period!.Previous.Start),
        };
        response.Segments.AddRange(segments.Select(s => new SegmentInsight { Segment = s.Segment, Current = ToProto(s.Current), Previous = ToProto(s.Previous) }));
        return response;
    }

    [Authorize(Roles = EngagementMapping.Managers)]
    public override async Task<RepPerformance> GetRepPerformance(GetRepPerformanceRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var period = RequirePeriod(request.PeriodStart, request.PeriodEnd, check);
        check.ThrowIfInvalid();
        var response = new RepPerformance();
        response.Reps.AddRange((await reports.RepPerformanceAsync(period!, context.CancellationToken)).Select(r => new RepResult
        {
            OwnerId = r.OwnerId.ToString(),
            TasksDue = r.TasksDue,
            TasksDoneOnTime = r.TasksDoneOnTime,
            ExecutionRate = r.ExecutionRate,
            NewCustomers = r.NewCustomers,
            ChurnedCustomers = r.ChurnedCustomers,
            Satisfaction = r.Satisfaction,
        }));
        return response;
    }

    private static EngagementDomain.Period? RequirePeriod(Timestamp? start, Timestamp? end, Validator check)
    {
        if ((check.RequireTime(start, "period_start"), check.RequireTime(end, "period_end")) is not ({ } from, { } to))
        {
            return null;
        }

        var period = new EngagementDomain.Period(from, to);
        check.Require(period.End > period.Start && period.End - period.Start <= LongestPeriod, "period_end", "must be after period_start, at most 366 days later");
        return period;
    }

    private static CustomerKpis ToProto(EngagementDomain.Kpis k) => new()
    {
        CustomerCount = k.CustomerCount,
        CustomerCountAtStart = k.CustomerCountAtStart,
        NewCustomers = k.NewCustomers,
        ChurnedCustomers = k.ChurnedCustomers,
        GrowthRate = k.GrowthRate,
        ChurnRate = k.ChurnRate,
        AveragePurchaseAmount = k.AveragePurchaseAmount.ToMoney(MoneyExtensions.DefaultCurrency),
        Purchases = k.Purchases,
        PurchaseFrequency = k.PurchaseFrequency,
        Satisfaction = k.Satisfaction,
        SurveyAnswers = k.SurveyAnswers,
    };
}
