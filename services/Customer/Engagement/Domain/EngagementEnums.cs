namespace Platform.Customer.Engagement.Domain;

/// <summary>How a follow-up happened (numbering matches the proto).</summary>
public enum InteractionKind
{
    Call = 1,
    Visit = 2,
    Email = 3,
    Meeting = 4,
    Note = 5,
    Newsletter = 6,
}

public enum FollowUpTaskState
{
    Open = 1,
    Done = 2,

    /// <summary>Replaced by a new plan when the intent grade changed.</summary>
    Cancelled = 3,
}

public enum OpportunityStage
{
    FirstContact = 1,
    NeedsDiscovery = 2,
    Proposal = 3,
    ObjectionHandling = 4,
    Closing = 5,
    Won = 6,
    Lost = 7,
}

public enum LoyaltyEntryKind
{
    Payment = 1,
    Referral = 2,
    RefundRevoked = 3,
    Redeemed = 4,

    /// <summary>Points taken back because the payment that earned them was reversed (bounced, or the payer is not a customer).</summary>
    PaymentReversed = 5,
}
