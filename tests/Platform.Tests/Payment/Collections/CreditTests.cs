using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Billing.Commerce;
using static Platform.Tests.Payment.Collections.CollectionsHost;

namespace Platform.Tests.Payment.Collections;

public sealed class CreditTests(CollectionsHost host) : IClassFixture<CollectionsHost>
{
    /// <summary>A customer whose book holds <paramref name="bounced"/> bounced cheques and one invoice <paramref name="daysOverdue"/> days overdue.</summary>
    private async Task<Guid> CustomerWithHistoryAsync(int bounced, int daysOverdue)
    {
        var customer = Guid.CreateVersion7();
        var now = host.Clock.GetUtcNow();
        await host.Payment.QueryAsync<PaymentDb, int>(db => BouncedChequesAsync(db, customer, bounced, 500m, now));
        var invoice = Issued(Guid.CreateVersion7(), customer, null, 800m, now.AddDays(-daysOverdue));
        await host.PublishAsync(invoice);
        await Eventually.Until(() => AssessAsync(customer), a => a.Factors.Outstanding.ToDecimal() == 800m, what: "the invoice to reach the receivables");
        return customer;
    }

    private async Task<CreditAssessment> AssessAsync(Guid customer) =>
        await host.Credit.GetCreditAssessmentAsync(new GetCreditAssessmentRequest { CustomerId = customer.ToString() }, Tokens.As(Roles.Service));

    private async Task<Contract> DraftAsync(Guid customer, PaymentMode mode)
    {
        var (setup, _) = await host.Commerce.NewProductAsync();
        var quote = await host.Commerce.QuoteAsync(customer.ToString(), 12, (setup, 1));
        var start = host.Clock.GetUtcNow();
        var terms = CommerceHost.Terms(start, mode);
        if (mode != PaymentMode.Prepaid)
        {
            var half = quote.Total.ToDecimal() / 2;
            terms.Payment.Steps.Add(new PaymentStep { Name = "first half", DueTime = Timestamp.FromDateTimeOffset(start), Amount = CommerceHost.Cny(half) });
            terms.Payment.Steps.Add(new PaymentStep { Name = "second half", DueTime = Timestamp.FromDateTimeOffset(start.AddMonths(6)), Amount = CommerceHost.Cny(quote.Total.ToDecimal() - half) });
        }

        return await host.Commerce.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = CommerceHost.Id(), QuoteId = quote.QuoteId, Terms = terms },
            Tokens.As(Roles.SalesRep));
    }

    private static async Task<ErrorInfo> RefusedAsync(Func<Task> sign)
    {
        var e = await Assert.ThrowsAsync<RpcException>(sign);
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        return e.GetRpcStatus()!.GetDetail<ErrorInfo>();
    }

    [Fact]
    public async Task A_customer_without_history_is_allowed_and_signs_an_installment_contract()
    {
        var customer = Guid.CreateVersion7();
        var assessment = await AssessAsync(customer);
        Assert.Equal((false, 70, CreditDecision.Allow), (assessment.HasHistory, assessment.Score, assessment.Decision));

        var draft = await DraftAsync(customer, PaymentMode.Installments);
        var signed = await host.Commerce.SignBothAsync(draft.ContractId);

        Assert.Equal(ContractState.Signed, signed.State);
    }

    [Fact]
    public async Task Billing_refuses_to_sign_for_a_customer_whose_credit_is_refused()
    {
        var customer = await CustomerWithHistoryAsync(bounced: 4, daysOverdue: 75);
        var assessment = await AssessAsync(customer);
        Assert.Equal((CreditDecision.Refuse, "D", 4, 75), (assessment.Decision, assessment.Grade, assessment.Factors.BouncedPayments, assessment.Factors.DaysOverdueNow));
        Assert.Equal(0m, assessment.Limit.ToDecimal());

        var draft = await DraftAsync(customer, PaymentMode.Prepaid);
        var refused = await RefusedAsync(() => host.Commerce.SignBothAsync(draft.ContractId));

        Assert.Equal("CREDIT_REFUSED", refused.Reason);
        var after = await host.Commerce.Contracts.GetContractAsync(new GetContractRequest { ContractId = draft.ContractId }, Tokens.As(Roles.SalesRep));
        Assert.Equal(ContractState.Draft, after.State);
        Assert.Empty(after.Signatures);
    }

    [Fact]
    public async Task Billing_demands_prepayment_below_the_threshold_refusing_installments_but_signing_a_prepaid_contract()
    {
        // Two bounced cheques (-20) and 25 days overdue now (-25): 55, below the prepayment threshold 60.
        var customer = await CustomerWithHistoryAsync(bounced: 2, daysOverdue: 25);
        var assessment = await AssessAsync(customer);
        Assert.Equal((55, CreditDecision.RequirePrepayment), (assessment.Score, assessment.Decision));

        var installments = await DraftAsync(customer, PaymentMode.Installments);
        Assert.Equal("PREPAYMENT_REQUIRED", (await RefusedAsync(() => host.Commerce.SignBothAsync(installments.ContractId))).Reason);
        var milestones = await DraftAsync(customer, PaymentMode.Milestones);
        Assert.Equal("PREPAYMENT_REQUIRED", (await RefusedAsync(() => host.Commerce.SignBothAsync(milestones.ContractId))).Reason);

        var prepaid = await DraftAsync(customer, PaymentMode.Prepaid);
        Assert.Equal(ContractState.Signed, (await host.Commerce.SignBothAsync(prepaid.ContractId)).State);
    }

    [Fact]
    public async Task An_assessment_without_a_valid_customer_id_names_the_field()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Credit.GetCreditAssessmentAsync(new GetCreditAssessmentRequest { CustomerId = "x" },
            Tokens.As(Roles.FinanceClerk)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("customer_id", e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }
}
