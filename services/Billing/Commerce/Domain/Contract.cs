using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Commerce.Domain;

public enum ContractState
{
    Draft = 1,
#pragma warning disable CA1720 // "signed" is the business word here, not the integer type
    Signed = 2,
#pragma warning restore CA1720
}

public enum PaymentMode
{
    Prepaid = 1,
    Installments = 2,
    Milestones = 3,
}

public enum SignatureParty
{
    Customer = 1,
    Company = 2,
}

public enum EntitlementState
{
    Active = 1,
    Suspended = 2,
    Terminated = 3,
}

public sealed class PaymentStep
{
    public int Sequence { get; init; }

    public required string Name { get; init; }

    public DateTimeOffset? DueDate { get; init; }

    public decimal Amount { get; init; }
}

/// <summary>One party's signature: who signed for it, who recorded it, when.</summary>
public sealed class Signature
{
    public SignatureParty Party { get; init; }

    public required string SignerName { get; init; }

    public required string RecordedBy { get; init; }

    public DateTimeOffset SignedAt { get; init; }
}

/// <summary>The terms of a contract that stay open to change while it is a draft.</summary>
public sealed class ContractTerms
{
    public DateTimeOffset Start { get; set; }

    public PaymentMode PaymentMode { get; set; }

    public List<PaymentStep> PaymentSteps { get; set; } = [];

    public RefundBasis RefundBasis { get; set; }

    public List<string> NonRefundableFeeCodes { get; set; } = [];

    public int HandlingFeeBasisPoints { get; set; }

    public int PrepaidValidityMonths { get; set; }

    public bool AutoRenew { get; set; }

    public bool PriceFollowsList { get; set; }

    public int GraceDays { get; set; }

    public int PenaltyBasisPoints { get; set; }
}

/// <summary>
/// A contract: the quote's items, prices and discounts with its terms. Immutable once both parties signed; it then
/// changes only by signed amendments and by its entitlement (active, suspended, terminated).
/// </summary>
public sealed class Contract
{
    public Guid Id { get; init; }

    public string? Number { get; set; }

    public Guid CustomerId { get; init; }

    public Guid QuoteId { get; init; }

    public required string Currency { get; init; }

    public ContractState State { get; private set; } = ContractState.Draft;

    public int TermMonths { get; init; }

    public List<LineItem> Items { get; init; } = [];

    public List<RecordedDiscount> Discounts { get; init; } = [];

    public decimal Subtotal { get; init; }

    public decimal DiscountTotal { get; init; }

    public decimal Total { get; init; }

    public ContractTerms Terms { get; init; } = new();

    public List<Signature> Signatures { get; init; } = [];

    public DateTimeOffset? SignedAt { get; private set; }

    public EntitlementState Entitlement { get; private set; } = EntitlementState.Active;

    public string? EntitlementReason { get; private set; }

    public DateTimeOffset? EntitlementChangedAt { get; private set; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public uint Version { get; set; }

    public DateTimeOffset End => Terms.Start.AddMonths(TermMonths);

    public RefundPolicy RefundPolicy => new(Terms.RefundBasis, Terms.NonRefundableFeeCodes, Terms.HandlingFeeBasisPoints);

    /// <summary>The total of the fee items the refund policy never refunds.</summary>
    public decimal NonRefundableAmount =>
        Items.Where(i => Terms.NonRefundableFeeCodes.Contains(i.FeeItemCode)).Sum(i => i.LineTotal);

    public void RequireDraft()
    {
        if (State != ContractState.Draft)
        {
            throw new PreconditionFailedException("CONTRACT_SIGNED", $"contracts/{Id}",
                "a signed contract is immutable; change it by an amendment");
        }
    }

    /// <summary>Adds one party's signature to the draft; answers true when both parties have now signed.</summary>
    public bool Sign(Signature signature)
    {
        RequireDraft();
        Signatures.Add(Signing.Check(Signatures, signature, $"contracts/{Id}"));
        if (Signatures.Count < 2)
        {
            return false;
        }

        State = ContractState.Signed;
        SignedAt = signature.SignedAt;
        return true;
    }

    public void Suspend(string reason, DateTimeOffset now) => Move(EntitlementState.Suspended, reason, now, EntitlementState.Active);

    public void Resume(string reason, DateTimeOffset now) => Move(EntitlementState.Active, reason, now, EntitlementState.Suspended);

    public void Terminate(string reason, DateTimeOffset now) =>
        Move(EntitlementState.Terminated, reason, now, EntitlementState.Active, EntitlementState.Suspended);

    private void Move(EntitlementState to, string reason, DateTimeOffset now, params EntitlementState[] from)
    {
        if (State != ContractState.Signed)
        {
            throw new PreconditionFailedException("CONTRACT_NOT_SIGNED", $"contracts/{Id}", "only a signed contract has a service entitlement");
        }

        if (!from.Contains(Entitlement))
        {
            throw new PreconditionFailedException("ENTITLEMENT_STATE", $"contracts/{Id}",
                $"a contract that is {Entitlement.ToString().ToLowerInvariant()} cannot become {to.ToString().ToLowerInvariant()}");
        }

        Entitlement = to;
        EntitlementReason = reason;
        EntitlementChangedAt = now;
    }
}

/// <summary>A change to a signed contract (added or changed items), with its own two signatures.</summary>
public sealed class Amendment
{
    public Guid Id { get; init; }

    public Guid ContractId { get; init; }

    public int Sequence { get; init; }

    public string Description { get; init; } = "";

    public List<LineItem> Items { get; init; } = [];

    public decimal Total { get; init; }

    public List<Signature> Signatures { get; init; } = [];

    public DateTimeOffset? SignedAt { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    public uint Version { get; set; }

    public bool Sign(Signature signature)
    {
        if (SignedAt is not null)
        {
            throw new PreconditionFailedException("AMENDMENT_SIGNED", $"amendments/{Id}", "the amendment is already signed by both parties");
        }

        Signatures.Add(Signing.Check(Signatures, signature, $"amendments/{Id}"));
        if (Signatures.Count < 2)
        {
            return false;
        }

        SignedAt = signature.SignedAt;
        return true;
    }
}

/// <summary>Each party signs once; the customer's and the company's are two distinct signatures.</summary>
public static class Signing
{
    public static Signature Check(IReadOnlyCollection<Signature> existing, Signature next, string subject)
    {
        if (existing.Any(s => s.Party == next.Party))
        {
            throw new PreconditionFailedException("ALREADY_SIGNED_BY_PARTY", subject,
                $"the {next.Party.ToString().ToLowerInvariant()} party has already signed");
        }

        return next;
    }
}
