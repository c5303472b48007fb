using Grpc.Core;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Domain;
using Platform.Contracts.Payment.V1;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Application;

/// <summary>What signing does when the payment service cannot answer the credit check.</summary>
public enum CreditCheckFallback
{
    /// <summary>Sign anyway (logged): an outage of payment does not stop sales.</summary>
    Allow = 1,

    /// <summary>Refuse to sign until payment answers (UNAVAILABLE).</summary>
    Refuse = 2,
}

/// <summary>Configuration section Billing:Commerce:CreditCheck.</summary>
public sealed class CreditCheckOptions
{
    /// <summary>Ask payment's credit assessment before a signature (default true).</summary>
    public bool Enabled { get; set; } = true;

    public CreditCheckFallback WhenUnavailable { get; set; } = CreditCheckFallback.Allow;

    /// <summary>How long signing waits for payment's answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Asks payment's credit assessment before a contract is signed: a customer payment refuses cannot sign, and one it
/// requires to prepay can sign only a prepaid contract (no installments, no milestones). A customer payment does not
/// know has no history and is allowed.
/// </summary>
public sealed class CreditCheck(Credit.CreditClient credit, IOptions<CommerceOptions> options, ILogger<CreditCheck> log)
{
    public async Task RequireAsync(Contract contract, CancellationToken ct)
    {
        var settings = options.Value.CreditCheck;
        if (!settings.Enabled)
        {
            return;
        }

        CreditAssessment assessment;
        try
        {
            // A gRPC deadline is wall-clock time on the wire, not business time: it cannot come from the (possibly fake) TimeProvider.
            assessment = await credit.GetCreditAssessmentAsync(new GetCreditAssessmentRequest { CustomerId = contract.CustomerId.ToString() },
                deadline: DateTime.UtcNow.Add(settings.Timeout), cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return;
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            if (settings.WhenUnavailable == CreditCheckFallback.Refuse)
            {
                log.LogWarning("Credit check of customer {CustomerId} unavailable ({Status}); refusing to sign contract {ContractId}",
                    contract.CustomerId, e.StatusCode, contract.Id);
                throw new RpcException(new Status(StatusCode.Unavailable, $"the credit check is unavailable ({e.StatusCode}); try again shortly"));
            }

            log.LogWarning("Credit check of customer {CustomerId} unavailable ({Status}); signing contract {ContractId} without it",
                contract.CustomerId, e.StatusCode, contract.Id);
            return;
        }

        var why = string.Join("; ", assessment.Reasons);
        if (assessment.Decision == CreditDecision.Refuse)
        {
            throw new PreconditionFailedException("CREDIT_REFUSED", $"customers/{contract.CustomerId}",
                $"the customer's credit score {assessment.Score} (grade {assessment.Grade}) is too low to sign: {why}");
        }

        if (assessment.Decision == CreditDecision.RequirePrepayment && contract.Terms.PaymentMode != PaymentMode.Prepaid)
        {
            throw new PreconditionFailedException("PREPAYMENT_REQUIRED", $"contracts/{contract.Id}",
                $"the customer's credit score {assessment.Score} (grade {assessment.Grade}) requires a prepaid contract, not {contract.Terms.PaymentMode.ToString().ToLowerInvariant()}: {why}");
        }
    }
}
