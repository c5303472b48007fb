using Microsoft.EntityFrameworkCore;
using Platform.Payment.Checks.Domain;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Collections.Application;

/// <summary>
/// Opens, advances and closes collections cases. Every stage change is announced (CollectionsStageReached) in the same
/// transaction, and the stages that need billing (suspension, termination; resumption on full payment) leave a
/// <see cref="ContractAction"/> the collections job carries out. The caller saves.
/// </summary>
public sealed class CollectionsDesk(PaymentDb db, IOptions<CollectionsOptions> options, AuditTrail audit, TimeProvider clock)
{
    public const string System = "system:collections";

    private readonly DunningLadder ladder = options.Value.ToLadder();

    public DunningLadder Ladder => ladder;

    /// <summary>
    /// Opens the case of an overdue invoice (once per invoice) with the ladder anchored at <paramref name="anchor"/> (the
    /// due date, or a partial payment that came before the notice) and lets it catch up with its due stages.
    /// </summary>
    public async Task OpenAsync(Receivable invoice, DateTimeOffset anchor, DateTimeOffset now, CancellationToken ct)
    {
        if (invoice.AmountDue <= 0 || await db.Set<CollectionCase>().AnyAsync(c => c.InvoiceId == invoice.InvoiceId, ct))
        {
            return;
        }

        var owner = await db.Set<KnownCustomer>().Where(c => c.CustomerId == invoice.CustomerId).Select(c => c.OwnerId).FirstOrDefaultAsync(ct);
        var @case = new CollectionCase
        {
            Id = Guid.CreateVersion7(),
            InvoiceId = invoice.InvoiceId,
            InvoiceNumber = invoice.InvoiceNumber,
            CustomerId = invoice.CustomerId,
            ContractId = invoice.ContractId,
            OwnerId = owner,
            Currency = invoice.Currency,
            AmountDue = invoice.AmountDue,
            DueDate = invoice.DueDate,
            Anchor = anchor,
            OpenedAt = now,
        };
        db.Set<CollectionCase>().Add(@case);
        @case.Schedule(ladder);
        audit.Record(System, "collections.case_opened", Subject(@case), @case.CustomerId, new { @case.InvoiceId, @case.AmountDue });
        Announce(@case, @case.Advance(ladder, now));
    }

    /// <summary>A payment billing applied to an invoice: re-anchors its open case, or closes it when nothing is left.</summary>
    public async Task ApplyPaymentAsync(Guid invoiceId, decimal amount, decimal remainingDue, DateTimeOffset paidAt, CancellationToken ct)
    {
        if (await OpenCaseOfInvoiceAsync(invoiceId, ct) is not { } @case)
        {
            return;
        }

        @case.ApplyPayment(amount, remainingDue, paidAt);
        @case.Schedule(ladder);
        audit.Record(System, @case.IsOpen ? "collections.partial_payment" : "collections.paid", Subject(@case), @case.CustomerId,
            new { amount, remainingDue, anchor = @case.Anchor });
        if (!@case.IsOpen)
        {
            await ClosedAsync(@case, ct);
        }
    }

    /// <summary>Closes the invoice's open case, if any, because the invoice was <paramref name="reason"/> ("paid" or "voided").</summary>
    public async Task CloseAsync(Guid invoiceId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        if (await OpenCaseOfInvoiceAsync(invoiceId, ct) is not { } @case)
        {
            return;
        }

        @case.Close(reason, at);
        @case.Schedule(ladder);
        audit.Record(System, "collections." + reason, Subject(@case), @case.CustomerId, new { at });
        await ClosedAsync(@case, ct);
    }

    /// <summary>Moves every open case whose next stage (or promise date) has come; answers how many changed.</summary>
    public async Task<int> AdvanceDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var due = await db.Set<CollectionCase>().Where(c => c.IsOpen && c.WakeAt <= now)
            .OrderBy(c => c.WakeAt).Take(options.Value.BatchSize).ToListAsync(ct);
        foreach (var @case in due)
        {
            Announce(@case, @case.Advance(ladder, now));
        }

        return due.Count;
    }

    public async Task<CollectionCase> RecordNegotiationAsync(Guid caseId, string strategy, string outcome, string note, string by, CancellationToken ct)
    {
        var @case = await OpenCaseAsync(caseId, ct);
        var now = clock.GetUtcNow();
        db.Set<Negotiation>().Add(new Negotiation
        {
            Id = Guid.CreateVersion7(),
            CaseId = caseId,
            Strategy = strategy,
            Outcome = outcome,
            Note = note,
            RecordedBy = by,
            RecordedAt = now,
        });
        audit.Record(by, "collections.negotiation_recorded", Subject(@case), @case.CustomerId, new { strategy, outcome });
        Announce(@case, @case.RecordNegotiation(now) is { } change ? [change] : []);
        @case.Schedule(ladder);
        await SaveAsync(ct);
        return @case;
    }

    public async Task<CollectionCase> RecordPromiseAsync(Guid caseId, decimal amount, string currency, DateOnly date, string note, string by, CancellationToken ct)
    {
        var @case = await OpenCaseAsync(caseId, ct);
        var now = clock.GetUtcNow();
        new Validator()
            .Require(currency == @case.Currency, "amount.currency_code", $"must be the invoice's currency {@case.Currency}")
            .Require(amount <= @case.AmountDue, "amount", $"must not exceed the amount due {@case.AmountDue}")
            .Require(date >= DateOnly.FromDateTime(now.UtcDateTime), "promised_date", "must be today or later")
            .ThrowIfInvalid();
        audit.Record(by, "collections.promise_recorded", Subject(@case), @case.CustomerId, new { amount, date, note });
        Announce(@case, @case.RecordPromise(amount, date, by, now) is { } change ? [change] : []);
        @case.Schedule(ladder);
        await SaveAsync(ct);
        return @case;
    }

    /// <summary>
    /// Finance gives the debt up: the case closes as written off, billing is asked (through a retried action) to mark
    /// the invoice uncollectible, and CollectionsCaseClosed says so. Only an open case at the top of the ladder can be
    /// written off: the legal hand-off stage, or the last configured stage of a ladder without one. Nothing is resumed
    /// and a suspension or termination already asked of billing still goes ahead.
    /// </summary>
    public async Task<CollectionCase> WriteOffAsync(Guid caseId, string reason, string by, CancellationToken ct)
    {
        var @case = await OpenCaseAsync(caseId, ct);
        var top = ladder.Steps.Any(s => s.Stage == DunningStage.LegalHandoff)
            ? @case.Stage == DunningStage.LegalHandoff
            : @case.Stage > DunningStage.Opened && ladder.After(@case.Stage) is null;
        if (!top)
        {
            throw new PreconditionFailedException("CASE_NOT_AT_LEGAL_HANDOFF", Subject(@case),
                $"the case is at {StageName(@case.Stage)}; a debt is written off only after the ladder reached the legal hand-off");
        }

        var now = clock.GetUtcNow();
        var owed = @case.AmountDue;
        if (await db.Set<Receivable>().SingleOrDefaultAsync(r => r.InvoiceId == @case.InvoiceId, ct) is { } receivable)
        {
            receivable.WrittenOffAt = now;
        }

        @case.Close("written_off", now);
        @case.Schedule(ladder);
        db.Enqueue(new CollectionsCaseClosed(Guid.CreateVersion7(), now, @case.Id, @case.InvoiceId, @case.CustomerId, @case.ContractId,
            "written_off", owed, @case.Currency), clock);
        AddAction(@case, null, ContractActionKind.Uncollectible, $"collections: invoice {@case.InvoiceNumber} written off: {reason}", now);
        audit.Record(by, "collections.written_off", Subject(@case), @case.CustomerId, new { @case.InvoiceId, amount = owed, @case.Currency, reason });
        await SaveAsync(ct);
        return @case;
    }

    private async Task<CollectionCase> OpenCaseAsync(Guid caseId, CancellationToken ct)
    {
        var @case = await db.Set<CollectionCase>().SingleOrDefaultAsync(c => c.Id == caseId, ct) ?? throw new NotFoundException("collection case", caseId.ToString());
        if (!@case.IsOpen)
        {
            throw new PreconditionFailedException("CASE_CLOSED", Subject(@case), $"the case closed ({@case.CloseReason}); nothing is left to collect");
        }

        return @case;
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("the case changed meanwhile (a payment or the ladder); read it again");
        }
    }

    /// <summary>Announces each stage reached and queues what billing must do for it.</summary>
    private void Announce(CollectionCase @case, IReadOnlyList<StageChange> changes)
    {
        foreach (var change in changes)
        {
            db.Enqueue(new CollectionsStageReached(Guid.CreateVersion7(), change.At, @case.Id, @case.InvoiceId, @case.InvoiceNumber, @case.CustomerId,
                @case.ContractId, @case.OwnerId, StageName(change.Stage), @case.AmountDue, @case.Currency, @case.DueDate, @case.DaysOverdue(change.At),
                change.Trigger), clock);
            audit.Record(System, "collections.stage_reached", Subject(@case), @case.CustomerId, new { stage = StageName(change.Stage), change.Trigger });
            if (@case.ContractId is { } contract && change.Stage is DunningStage.Suspension or DunningStage.Termination)
            {
                var kind = change.Stage == DunningStage.Suspension ? ContractActionKind.Suspend : ContractActionKind.Terminate;
                AddAction(@case, contract, kind, $"collections: invoice {@case.InvoiceNumber} overdue {@case.DaysOverdue(change.At)} days", change.At);
            }
        }
    }

    /// <summary>
    /// A closed case cancels what it had not yet asked of billing and resumes the contract it suspended, unless another
    /// open case still holds that contract suspended or the contract was terminated.
    /// </summary>
    private async Task ClosedAsync(CollectionCase @case, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        db.Enqueue(new CollectionsCaseClosed(Guid.CreateVersion7(), now, @case.Id, @case.InvoiceId, @case.CustomerId, @case.ContractId,
            @case.CloseReason ?? "paid"), clock);
        var waiting = await db.Set<ContractAction>().Where(a => a.CaseId == @case.Id && a.DoneAt == null && a.CancelledAt == null).ToListAsync(ct);
        foreach (var action in waiting)
        {
            action.CancelledAt = now;
        }

        if (@case.ContractId is { } contract && @case.ContractSuspended && !@case.ContractTerminated)
        {
            await ResumeIfFreeAsync(@case, contract, now, ct);
        }
    }

    /// <summary>Queues the resumption of <paramref name="contract"/> unless another open case keeps it suspended.</summary>
    public async Task ResumeIfFreeAsync(CollectionCase @case, Guid contract, DateTimeOffset now, CancellationToken ct)
    {
        var heldElsewhere = await db.Set<CollectionCase>().AnyAsync(c => c.ContractId == contract && c.Id != @case.Id && c.IsOpen
            && (c.ContractSuspended || db.Set<ContractAction>().Any(a => a.CaseId == c.Id && a.Kind == ContractActionKind.Suspend && a.CancelledAt == null)), ct);
        if (!heldElsewhere)
        {
            AddAction(@case, contract, ContractActionKind.Resume, $"collections: invoice {@case.InvoiceNumber} {@case.CloseReason ?? "paid"}", now);
        }
    }

    /// <summary>
    /// Queues a call to billing, due at once. The reason is cut to what billing takes: a write-off's puts the invoice
    /// before the approver's own reason, which may already be that long.
    /// </summary>
    private void AddAction(CollectionCase @case, Guid? contract, ContractActionKind kind, string reason, DateTimeOffset now) =>
        db.Set<ContractAction>().Add(new ContractAction
        {
            Id = Guid.CreateVersion7(),
            CaseId = @case.Id,
            ContractId = contract,
            Kind = kind,
            Reason = reason.Length > ContractAction.MaxReasonLength ? reason[..ContractAction.MaxReasonLength] : reason,
            CreatedAt = now,
            NextAttemptAt = now,
        });

    public static string Subject(CollectionCase @case) => $"collection-cases/{@case.Id}";

    /// <summary>The snake_case stage name events carry.</summary>
    public static string StageName(DunningStage stage) => stage switch
    {
        DunningStage.Opened => "opened",
        DunningStage.FriendlyReminder => "friendly_reminder",
        DunningStage.SecondNotice => "second_notice",
        DunningStage.CallTask => "call_task",
        DunningStage.Negotiation => "negotiation",
        DunningStage.PromiseToPay => "promise_to_pay",
        DunningStage.Suspension => "suspension",
        DunningStage.Termination => "termination",
        DunningStage.LegalHandoff => "legal_handoff",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>
    /// The invoice's open case. A case closed earlier in the same unit of work (a batch of events) is open in the database
    /// until the save, so the tracked state decides.
    /// </summary>
    private async Task<CollectionCase?> OpenCaseOfInvoiceAsync(Guid invoiceId, CancellationToken ct) =>
        await db.Set<CollectionCase>().SingleOrDefaultAsync(c => c.InvoiceId == invoiceId && c.IsOpen, ct) is { IsOpen: true } @case ? @case : null;
}
