using Platform.Billing.Commerce.Application;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Commerce.Grpc.CommerceMapping;
using Domain = Platform.Billing.Commerce.Domain;
using Proto = Platform.Contracts.Billing.V1;

namespace Platform.Billing.Commerce.Grpc;

/// <summary>Contract terms and contracts between proto and domain.</summary>
internal static class ContractTermsMapping
{
    /// <summary>Validates and maps the terms named by <paramref name="paths"/> (field names of ContractTerms).</summary>
    public static Domain.ContractTerms Parse(Validator check, Proto.ContractTerms? terms, IReadOnlySet<string> paths, string currency)
    {
        var result = new Domain.ContractTerms();
        if (terms is null)
        {
            check.Require(false, "terms", "is required");
            return result;
        }

        if (paths.Contains("start_time"))
        {
            result.Start = check.RequireTime(terms.StartTime, "terms.start_time") ?? default;
        }

        if (paths.Contains("payment"))
        {
            var mode = terms.Payment?.Mode ?? Proto.PaymentMode.Unspecified;
            check.Require(mode is Proto.PaymentMode.Prepaid or Proto.PaymentMode.Installments or Proto.PaymentMode.Milestones,
                "terms.payment.mode", "must be prepaid, installments or milestones");
            result.PaymentMode = (Domain.PaymentMode)(int)mode;
            var steps = terms.Payment?.Steps ?? [];
            DateTimeOffset? previousDue = null;
            for (var i = 0; i < steps.Count; i++)
            {
                var s = steps[i];
                var due = check.OptionalTime(s.DueTime, $"terms.payment.steps[{i}].due_time");
                check.RequireLength(s.Name, $"terms.payment.steps[{i}].name", 1, 200)
                    .Require(mode != Proto.PaymentMode.Installments || s.DueTime is not null, $"terms.payment.steps[{i}].due_time", "is required for an installment")
                    .Require(due is null || previousDue is null || due > previousDue, $"terms.payment.steps[{i}].due_time", "must come after the previous step's");
                previousDue = due;
                result.PaymentSteps.Add(new Domain.PaymentStep
                {
                    Sequence = i + 1,
                    Name = s.Name,
                    DueDate = due,
                    Amount = check.Amount(s.Amount, $"terms.payment.steps[{i}].amount", currency, positive: true),
                });
            }
        }

        if (paths.Contains("refund_policy"))
        {
            var policy = terms.RefundPolicy ?? new Proto.RefundPolicy();
            check.Require(policy.Basis is Proto.RefundBasis.ElapsedTime or Proto.RefundBasis.Consumption, "terms.refund_policy.basis", "must be elapsed_time or consumption")
                .Require(policy.HandlingFeeBasisPoints is >= 0 and <= 10_000, "terms.refund_policy.handling_fee_basis_points", "must be 0-10000");
            result.RefundBasis = (Domain.RefundBasis)(int)policy.Basis;
            result.NonRefundableFeeCodes = policy.NonRefundableFeeItemCodes.ToList();
            result.HandlingFeeBasisPoints = policy.HandlingFeeBasisPoints;
        }

        if (paths.Contains("prepaid_validity_months"))
        {
            check.Require(terms.PrepaidValidityMonths is >= 1 and <= 120, "terms.prepaid_validity_months", "must be 1-120");
            result.PrepaidValidityMonths = terms.PrepaidValidityMonths;
        }

        result.AutoRenew = terms.AutoRenew;
        result.PriceFollowsList = terms.PriceFollowsList;
        if (paths.Contains("late_terms"))
        {
            var late = terms.LateTerms ?? new Proto.LateTerms();
            check.Require(late.GraceDays is >= 0 and <= 365, "terms.late_terms.grace_days", "must be 0-365")
                .Require(late.PenaltyBasisPoints is >= 0 and <= 10_000, "terms.late_terms.penalty_basis_points", "must be 0-10000");
            result.GraceDays = late.GraceDays;
            result.PenaltyBasisPoints = late.PenaltyBasisPoints;
        }

        return result;
    }

    public static Proto.Contract ToProto(ContractView view)
    {
        var c = view.Contract;
        var t = c.Terms;
        var terms = new Proto.ContractTerms
        {
            StartTime = Ts(t.Start),
            Payment = new Proto.PaymentTerms { Mode = (Proto.PaymentMode)(int)t.PaymentMode },
            RefundPolicy = new Proto.RefundPolicy { Basis = (Proto.RefundBasis)(int)t.RefundBasis, HandlingFeeBasisPoints = t.HandlingFeeBasisPoints },
            PrepaidValidityMonths = t.PrepaidValidityMonths,
            AutoRenew = t.AutoRenew,
            PriceFollowsList = t.PriceFollowsList,
            LateTerms = new Proto.LateTerms { GraceDays = t.GraceDays, PenaltyBasisPoints = t.PenaltyBasisPoints },
        };
        terms.Payment.Steps.AddRange(t.PaymentSteps.OrderBy(s => s.Sequence).Select(s => new Proto.PaymentStep
        {
            Name = s.Name,
            DueTime = Ts(s.DueDate),
            Amount = Money(s.Amount, c.Currency),
        }));
        terms.RefundPolicy.NonRefundableFeeItemCodes.AddRange(t.NonRefundableFeeCodes);

        var answer = new Proto.Contract
        {
            ContractId = c.Id.ToString(),
            Number = c.Number ?? "",
            CustomerId = c.CustomerId.ToString(),
            QuoteId = c.QuoteId.ToString(),
            State = (Proto.ContractState)(int)c.State,
            Subtotal = Money(c.Subtotal, c.Currency),
            DiscountTotal = Money(c.DiscountTotal, c.Currency),
            Total = Money(c.Total, c.Currency),
            TermMonths = c.TermMonths,
            Terms = terms,
            EndTime = Ts(c.End),
            SignTime = Ts(c.SignedAt),
            Entitlement = c.State == Domain.ContractState.Signed ? (Proto.EntitlementState)(int)c.Entitlement : Proto.EntitlementState.Unspecified,
            Etag = Etag(c.Version),
        };
        answer.Items.AddRange(c.Items.Select(i => CommerceMapping.ToProto(i, c.Currency)));
        answer.Discounts.AddRange(c.Discounts.Select(d => CommerceMapping.ToProto(d, c.Currency)));
        answer.Signatures.AddRange(c.Signatures.OrderBy(s => s.Party).Select(CommerceMapping.ToProto));
        foreach (var a in view.Amendments)
        {
            var amendment = new Proto.Amendment
            {
                AmendmentId = a.Id.ToString(),
                Sequence = a.Sequence,
                Description = a.Description,
                Total = Money(a.Total, c.Currency),
                SignTime = Ts(a.SignedAt),
            };
            amendment.Items.AddRange(a.Items.Select(i => CommerceMapping.ToProto(i, c.Currency)));
            amendment.Signatures.AddRange(a.Signatures.OrderBy(s => s.Party).Select(CommerceMapping.ToProto));
            answer.Amendments.Add(amendment);
        }

        return answer;
    }
}
