using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Domain.Controls;

public enum ApprovalState
{
    Requested = 1,
    Approved = 2,
    Rejected = 3,
}

/// <summary>
/// Maker-checker: a request made by one person is decided by another. Roles (the approver role) are checked at the
/// API; here the rule that the two people differ and that a request is decided once.
/// </summary>
public sealed class Approval
{
    public ApprovalState State { get; private set; } = ApprovalState.Requested;

    public required string RequestedBy { get; init; }

    public DateTimeOffset RequestedAt { get; init; }

    public string? DecidedBy { get; private set; }

    public DateTimeOffset? DecidedAt { get; private set; }

    public string? Note { get; private set; }

    public void Decide(bool approve, string decidedBy, string? note, DateTimeOffset at, string subject)
    {
        if (State != ApprovalState.Requested)
        {
            throw new PreconditionFailedException("ALREADY_DECIDED", subject, $"The request was already {State.ToString().ToLowerInvariant()}");
        }

        if (string.Equals(decidedBy, RequestedBy, StringComparison.Ordinal))
        {
            throw new PermissionDeniedException("MAKER_CHECKER", "The person who made a request cannot decide it; another approver must");
        }

        State = approve ? ApprovalState.Approved : ApprovalState.Rejected;
        DecidedBy = decidedBy;
        DecidedAt = at;
        Note = note;
    }
}
