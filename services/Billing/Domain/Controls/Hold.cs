using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Domain.Controls;

public enum HoldState
{
    Held = 1,
    PartiallyReleased = 2,
    Released = 3,
    Cancelled = 4,
}

/// <summary>Prepaid funds held for one milestone of a contract (staged release, 分阶段使用预付款).</summary>
public sealed class Hold
{
    public Guid Id { get; init; }

    public Guid CustomerId { get; init; }

    public Guid ContractId { get; init; }

    public required string Milestone { get; init; }

    public decimal Amount { get; init; }

    public decimal Released { get; private set; }

    public HoldState State { get; private set; } = HoldState.Held;

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public List<HoldRelease> Releases { get; init; } = [];

    /// <summary>What is still held.</summary>
    public decimal Remaining => State == HoldState.Cancelled ? 0m : Amount - Released;

    /// <summary>Records a release of <paramref name="amount"/> (null: everything still held); answers the amount released.</summary>
    public HoldRelease Release(decimal? amount, string approvedBy, string note, DateTimeOffset at)
    {
        RequireOpen();
        var release = amount ?? Remaining;
        if (release > Remaining)
        {
            throw new PreconditionFailedException("RELEASE_EXCEEDS_HOLD", "holds/" + Id, $"Only {Remaining} is still held; {release} cannot be released");
        }

        Released += release;
        State = Released == Amount ? HoldState.Released : HoldState.PartiallyReleased;
        var entry = new HoldRelease { HoldId = Id, Sequence = Releases.Count + 1, Amount = release, ApprovedBy = approvedBy, Note = note, ReleasedAt = at };
        Releases.Add(entry);
        return entry;
    }

    /// <summary>Closes the hold; answers what goes back to prepaid cash.</summary>
    public decimal Cancel()
    {
        RequireOpen();
        var back = Remaining;
        State = HoldState.Cancelled;
        return back;
    }

    private void RequireOpen()
    {
        if (State is HoldState.Released or HoldState.Cancelled)
        {
            throw new PreconditionFailedException("HOLD_CLOSED", "holds/" + Id, $"The hold is {State.ToString().ToLowerInvariant()}");
        }
    }
}

/// <summary>One accepted release of held funds.</summary>
public sealed class HoldRelease
{
    public Guid HoldId { get; init; }

    public int Sequence { get; init; }

    public decimal Amount { get; init; }

    public required string ApprovedBy { get; init; }

    public required string Note { get; init; }

    public DateTimeOffset ReleasedAt { get; init; }
}
