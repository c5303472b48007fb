namespace Platform.Payment.Collections.Domain;

public enum PromiseState
{
    Pending = 1,
    Kept = 2,
    Broken = 3,
}

/// <summary>A stage the case reached, and why: "schedule", "broken_promise", "negotiation_recorded", "promise_recorded".</summary>
public sealed record StageChange(DunningStage Stage, string Trigger, DateTimeOffset At);

/// <summary>
/// The collections case of one overdue invoice. It climbs the dunning ladder by day offsets from its anchor (the due
/// date; a partial payment moves the anchor to the payment). A pending promise to pay holds the ladder until its date;
/// a promise unpaid by then escalates to the next stage at once. Paid in full, the case closes.
/// </summary>
public sealed class CollectionCase
{
    public Guid Id { get; init; }

    public Guid InvoiceId { get; init; }

    public required string InvoiceNumber { get; init; }

    public Guid CustomerId { get; init; }

    public Guid? ContractId { get; init; }

    public Guid? OwnerId { get; set; }

    public required string Currency { get; init; }

    public decimal AmountDue { get; set; }

    public DateTimeOffset DueDate { get; init; }

    public DateTimeOffset Anchor { get; set; }

    public DunningStage Stage { get; set; } = DunningStage.Opened;

    public DateTimeOffset? StageReachedAt { get; set; }

    public bool IsOpen { get; set; } = true;

    public string? CloseReason { get; set; }

    public DateTimeOffset OpenedAt { get; init; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Billing confirmed it suspended the contract for this case.</summary>
    public bool ContractSuspended { get; set; }

    /// <summary>Billing confirmed it terminated the contract for this case: nothing resumes it.</summary>
    public bool ContractTerminated { get; set; }

    public decimal? PromiseAmount { get; set; }

    public DateOnly? PromiseDate { get; set; }

    public decimal PromisePaid { get; set; }

    public PromiseState? PromiseState { get; set; }

    public string? PromiseRecordedBy { get; set; }

    /// <summary>When the collections job next has something to do with the case (its next stage, or the day after a promise).</summary>
    public DateTimeOffset? WakeAt { get; set; }

    /// <summary>Optimistic concurrency token (PostgreSQL xmin).</summary>
    public uint Version { get; set; }

    public bool PromisePending => PromiseState == Domain.PromiseState.Pending;

    /// <summary>When the next stage comes by the ladder; null when closed, at the top, or held by a pending promise.</summary>
    public DateTimeOffset? NextStageAt(DunningLadder ladder) =>
        IsOpen && !PromisePending && ladder.After(Stage) is { } next ? Anchor.AddDays(next.OffsetDays) : null;

    /// <summary>Sets <see cref="WakeAt"/> from the case's state; called after every change.</summary>
    public void Schedule(DunningLadder ladder) => WakeAt =
        !IsOpen ? null
        : PromisePending && PromiseDate is { } promised ? new DateTimeOffset(promised.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
        : NextStageAt(ladder);

    /// <summary>
    /// Moves the case to every stage that is due at <paramref name="now"/> and answers them in order. A promise whose
    /// day has passed is judged first: kept, the ladder goes on; broken, the next stage comes at once and the ladder
    /// continues from there with its usual gaps (the anchor moves so that the escalated stage is today's).
    /// </summary>
    public IReadOnlyList<StageChange> Advance(DunningLadder ladder, DateTimeOffset now)
    {
        var changes = new List<StageChange>();
        if (!IsOpen)
        {
            return changes;
        }

        if (PromisePending && PromiseDate is { } promised && DateOnly.FromDateTime(now.UtcDateTime) > promised)
        {
            if (PromisePaid >= PromiseAmount)
            {
                PromiseState = Domain.PromiseState.Kept;
            }
            else
            {
                PromiseState = Domain.PromiseState.Broken;
                if (ladder.After(Stage) is { } escalated)
                {
                    Anchor = now.AddDays(-escalated.OffsetDays);
                    changes.Add(Reach(escalated.Stage, "broken_promise", now));
                }
            }
        }

        while (NextStageAt(ladder) is { } at && at <= now)
        {
            changes.Add(Reach(ladder.After(Stage)!.Stage, "schedule", now));
        }

        Schedule(ladder);
        return changes;
    }

    /// <summary>
    /// A payment billing applied to the invoice. Paid in full, the case closes; partly paid, the ladder counts its
    /// offsets again from the payment. Money paid after a promise counts towards it.
    /// </summary>
    public void ApplyPayment(decimal amount, decimal remainingDue, DateTimeOffset paidAt)
    {
        if (!IsOpen)
        {
            return;
        }

        AmountDue = remainingDue;
        if (PromisePending)
        {
            PromisePaid += amount;
            if (PromisePaid >= PromiseAmount)
            {
                PromiseState = Domain.PromiseState.Kept;
            }
        }

        if (remainingDue <= 0)
        {
            Close("paid", paidAt);
        }
        else
        {
            Anchor = paidAt;
        }
    }

    public void Close(string reason, DateTimeOffset at)
    {
        if (!IsOpen)
        {
            return;
        }

        IsOpen = false;
        AmountDue = reason is "paid" or "voided" ? 0m : AmountDue; // written off: what was lost stays on the case
        CloseReason = reason;
        ClosedAt = at;
        if (PromisePending)
        {
            PromiseState = Domain.PromiseState.Kept;
        }
    }

    /// <summary>A negotiation took place: the case is at least at the negotiation stage.</summary>
    public StageChange? RecordNegotiation(DateTimeOffset now) =>
        Stage < DunningStage.Negotiation ? Reach(DunningStage.Negotiation, "negotiation_recorded", now) : null;

    /// <summary>
    /// The customer promised <paramref name="amount"/> by <paramref name="date"/>: the case is at least at the promise
    /// stage, and the ladder waits for the date. A new promise replaces a pending one.
    /// </summary>
    public StageChange? RecordPromise(decimal amount, DateOnly date, string recordedBy, DateTimeOffset now)
    {
        PromiseAmount = amount;
        PromiseDate = date;
        PromisePaid = 0m;
        PromiseState = Domain.PromiseState.Pending;
        PromiseRecordedBy = recordedBy;
        return Stage < DunningStage.PromiseToPay ? Reach(DunningStage.PromiseToPay, "promise_recorded", now) : null;
    }

    public int DaysOverdue(DateTimeOffset now) => Math.Max(0, (int)Math.Floor((now - DueDate).TotalDays));

    private StageChange Reach(DunningStage stage, string trigger, DateTimeOffset now)
    {
        Stage = stage;
        StageReachedAt = now;
        return new StageChange(stage, trigger, now);
    }
}
