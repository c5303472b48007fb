using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Credit.Application;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Domain = Platform.Payment.Credit.Domain;

namespace Platform.Payment.Credit.Grpc;

/// <summary>The credit assessment of a customer; billing calls it (service identity) before signing a contract.</summary>
public sealed class CreditApi(CreditAssessor assessor) : Contracts.Payment.V1.Credit.CreditBase
{
    [Authorize(Roles = Roles.Readers)]
    public override async Task<CreditAssessment> GetCreditAssessment(GetCreditAssessmentRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var (history, assessment) = await assessor.AssessAsync(customer, context.CancellationToken);
        var currency = MoneyExtensions.DefaultCurrency;
        var proto = new CreditAssessment
        {
            CustomerId = customer.ToString(),
            Score = assessment.Score,
            Grade = assessment.Grade,
            Decision = (CreditDecision)(int)assessment.Decision,
            Limit = assessment.Limit.ToMoney(currency),
            HasHistory = history.HasHistory,
            Factors = new CreditFactors
            {
                PaidInvoices = history.PaidInvoices,
                PaidOnTime = history.PaidOnTime,
                OnTimeRate = history.OnTimeRate,
                DaysOverdueNow = history.DaysOverdueNow,
                AverageDaysLate = history.AverageDaysLate,
                MaxDaysLate = history.MaxDaysLate,
                BouncedPayments = history.BouncedPayments,
                Outstanding = history.Outstanding.ToMoney(currency),
                PaidLast12Months = history.PaidLast12Months.ToMoney(currency),
            },
        };
        proto.Reasons.AddRange(assessment.Reasons);
        return proto;
    }
}
