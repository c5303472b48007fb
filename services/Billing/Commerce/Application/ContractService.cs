using Microsoft.EntityFrameworkCore;
using Platform.Billing.Commerce.Domain;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Application;

public sealed record ContractView(Contract Contract, IReadOnlyList<Amendment> Amendments);

/// <summary>Contracts from quotes, draft terms, signatures by both parties, amendments.</summary>
public sealed class ContractService(BillingDb db, QuoteService quotes, DocumentNumbers numbers, CreditCheck credit, TimeProvider clock)
{
    public async Task<ContractView> CreateAsync(Guid quoteId, ContractTerms terms, string createdBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var quote = await db.Set<Quote>().AsSplitQuery().SingleOrDefaultAsync(q => q.Id == quoteId, ct) ?? throw new NotFoundException("quote", quoteId.ToString());
        if (quote.ContractId is { } existing)
        {
            throw new AlreadyExistsException("QUOTE_ALREADY_CONTRACTED", "a contract was already made from this quote") { Metadata = { ["existing_contract_id"] = existing.ToString() } };
        }

        if (quote.ValidUntil < now)
        {
            throw new PreconditionFailedException("QUOTE_EXPIRED", $"quotes/{quote.Id}", $"the quote expired at {quote.ValidUntil:O}; make a new one");
        }

        RequireSteps(terms, quote.Total, quote.Items);
        var contract = new Contract
        {
            Id = Guid.CreateVersion7(),
            CustomerId = quote.CustomerId,
            QuoteId = quote.Id,
            Currency = quote.Currency,
            TermMonths = quote.TermMonths,
            Items = quote.Items.Select(i => i.Copy()).ToList(),
            Discounts = quote.Discounts.Select(d => new RecordedDiscount { Kind = d.Kind, Code = d.Code, Description = d.Description, Amount = d.Amount }).ToList(),
            Subtotal = quote.Subtotal,
            DiscountTotal = quote.DiscountTotal,
            Total = quote.Total,
            Terms = terms,
            CreatedBy = createdBy,
            CreatedAt = now,
        };
        quote.ContractId = contract.Id;
        if (quote.CouponCode is { } code)
        {
            var coupon = await db.Set<Coupon>().SingleAsync(c => c.Code == code, ct);
            if (!coupon.UsableBy(quote.CustomerId, now))
            {
                throw new PreconditionFailedException("COUPON_NOT_USABLE", $"coupons/{code}", "the quote's coupon was used or expired meanwhile; make a new quote");
            }

            coupon.RedeemedByContractId = contract.Id;
        }

        db.Set<Contract>().Add(contract);
        await db.SaveChangesAsync(ct);
        return new ContractView(contract, []);
    }

    public async Task<ContractView> GetAsync(Guid id, CancellationToken ct)
    {
        var contract = await db.Set<Contract>().AsSplitQuery().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("contract", id.ToString());
        var amendments = await db.Set<Amendment>().AsSplitQuery().AsNoTracking().Where(a => a.ContractId == id).OrderBy(a => a.Sequence).ToListAsync(ct);
        return new ContractView(contract, amendments);
    }

    /// <summary>Changes the draft's terms named by <paramref name="paths"/>; a signed contract is refused.</summary>
    public async Task<ContractView> UpdateAsync(Guid id, uint etag, ContractTerms changes, IReadOnlySet<string> paths, CancellationToken ct)
    {
        var contract = await LoadAsync(id, ct);
        contract.RequireDraft();
        if (contract.Version != etag)
        {
            throw new ConcurrencyConflictException("the contract changed since it was read; read it again");
        }

        var t = contract.Terms;
        if (paths.Contains("start_time")) { t.Start = changes.Start; }
        if (paths.Contains("payment")) { t.PaymentMode = changes.PaymentMode; t.PaymentSteps = changes.PaymentSteps; }
        if (paths.Contains("refund_policy")) { t.RefundBasis = changes.RefundBasis; t.NonRefundableFeeCodes = changes.NonRefundableFeeCodes; t.HandlingFeeBasisPoints = changes.HandlingFeeBasisPoints; }
        if (paths.Contains("prepaid_validity_months")) { t.PrepaidValidityMonths = changes.PrepaidValidityMonths; }
        if (paths.Contains("auto_renew")) { t.AutoRenew = changes.AutoRenew; }
        if (paths.Contains("price_follows_list")) { t.PriceFollowsList = changes.PriceFollowsList; }
        if (paths.Contains("late_terms")) { t.GraceDays = changes.GraceDays; t.PenaltyBasisPoints = changes.PenaltyBasisPoints; }
        RequireSteps(t, contract.Total, contract.Items);
        db.Entry(contract).Property(c => c.Version).OriginalValue = etag;
        await SaveAsync(ct);
        return await GetAsync(id, ct);
    }

    /// <summary>
    /// Records one party's signature after payment's credit check; when both signed: number, invoices drafted, ContractSigned.
    /// </summary>
    public async Task<ContractView> SignAsync(Guid id, Signature signature, CancellationToken ct)
    {
        var contract = await LoadAsync(id, ct);
        contract.RequireDraft();
        await credit.RequireAsync(contract, ct);
        if (contract.Sign(signature))
        {
            contract.Number = await numbers.NextAsync("CON", signature.SignedAt, ct);
            DraftInvoices(contract);
            db.Enqueue(new ContractSigned(Guid.CreateVersion7(), signature.SignedAt, contract.Id, contract.CustomerId, contract.Number,
                contract.Total, contract.Currency, ModeName(contract.Terms.PaymentMode), signature.SignedAt), clock);
        }

        await SaveAsync(ct);
        return await GetAsync(id, ct);
    }

    public async Task<ContractView> AmendAsync(Guid id, IReadOnlyList<(string FeeItemCode, int Quantity)> items, string description, CancellationToken ct)
    {
        var contract = await LoadAsync(id, ct);
        if (contract.State != ContractState.Signed || contract.Entitlement == EntitlementState.Terminated)
        {
            throw new PreconditionFailedException("CONTRACT_NOT_AMENDABLE", $"contracts/{id}", "only a signed contract that is not terminated can be amended; change a draft directly");
        }

        var lines = await quotes.PriceAsync(items, contract.TermMonths, "items", ct);
        var sequence = await db.Set<Amendment>().Where(a => a.ContractId == id).CountAsync(ct) + 1;
        db.Set<Amendment>().Add(new Amendment
        {
            Id = Guid.CreateVersion7(),
            ContractId = id,
            Sequence = sequence,
            Description = description,
            Items = lines,
            Total = lines.Sum(l => l.LineTotal),
            CreatedAt = clock.GetUtcNow(),
        });
        await SaveAsync(ct);
        return await GetAsync(id, ct);
    }

    public async Task<ContractView> SignAmendmentAsync(Guid contractId, Guid amendmentId, Signature signature, CancellationToken ct)
    {
        var contract = await LoadAsync(contractId, ct);
        var amendment = await db.Set<Amendment>().AsSplitQuery().SingleOrDefaultAsync(a => a.Id == amendmentId && a.ContractId == contractId, ct)
            ?? throw new NotFoundException("amendment", amendmentId.ToString());
        if (amendment.Sign(signature))
        {
            db.Enqueue(new ContractSigned(Guid.CreateVersion7(), signature.SignedAt, contract.Id, contract.CustomerId,
                $"{contract.Number}-A{amendment.Sequence}", amendment.Total, contract.Currency, ModeName(contract.Terms.PaymentMode), signature.SignedAt), clock);
        }

        await SaveAsync(ct);
        return await GetAsync(contractId, ct);
    }

    private async Task<Contract> LoadAsync(Guid id, CancellationToken ct) =>
        await db.Set<Contract>().AsSplitQuery().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("contract", id.ToString());

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("the contract changed meanwhile; read it again");
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Two clerks recorded the same party's signature at once: the unique key kept one.
            throw new ConcurrencyConflictException("another signature or amendment was recorded meanwhile; read the contract again");
        }
    }

    private void DraftInvoices(Contract contract)
    {
        var now = clock.GetUtcNow();
        List<PaymentStep> steps = contract.Terms.PaymentMode switch
        {
            PaymentMode.Prepaid => [new PaymentStep { Sequence = 1, Name = "prepayment", DueDate = contract.Terms.Start, Amount = contract.Total }],
            PaymentMode.Installments => contract.Terms.PaymentSteps,
            // Milestone money is prepaid and held by the ledger, released on acceptance: no invoice per milestone.
            _ => [],
        };
        foreach (var step in steps)
        {
            db.Set<Invoice>().Add(new Invoice
            {
                Id = Guid.CreateVersion7(),
                CustomerId = contract.CustomerId,
                ContractId = contract.Id,
                InstallmentSequence = contract.Terms.PaymentMode == PaymentMode.Installments ? step.Sequence : 0,
                Prepayment = contract.Terms.PaymentMode == PaymentMode.Prepaid,
                Description = contract.Terms.PaymentMode == PaymentMode.Installments
                    ? $"installment {step.Sequence} of {steps.Count}: {step.Name}"
                    : "prepayment of the contract",
                Currency = contract.Currency,
                Amount = step.Amount,
                DueDate = step.DueDate ?? contract.Terms.Start,
                CreatedAt = now,
            });
        }
    }

    private static string ModeName(PaymentMode mode) => mode switch
    {
        PaymentMode.Installments => "installments",
        PaymentMode.Milestones => "milestones",
        _ => "prepaid",
    };

    /// <summary>Installments and milestones must add up to the contract total; the refund policy may only name its items.</summary>
    private static void RequireSteps(ContractTerms terms, decimal total, IReadOnlyList<LineItem> items)
    {
        var check = new Validator();
        if (terms.PaymentMode == PaymentMode.Prepaid)
        {
            check.Require(terms.PaymentSteps.Count == 0, "terms.payment.steps", "must be empty for a prepaid contract");
        }
        else
        {
            check.Require(terms.PaymentSteps.Count > 0 && terms.PaymentSteps.Sum(s => s.Amount) == total, "terms.payment.steps",
                $"the step amounts must add up to the contract total {total}");
        }

        for (var i = 0; i < terms.NonRefundableFeeCodes.Count; i++)
        {
            check.Require(items.Any(it => it.FeeItemCode == terms.NonRefundableFeeCodes[i]), $"terms.refund_policy.non_refundable_fee_item_codes[{i}]",
                "is not an item of the contract");
        }

        check.ThrowIfInvalid();
    }
}
