using Microsoft.EntityFrameworkCore;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Engagement.Application;

/// <summary>A new opportunity as the rep describes it.</summary>
public sealed record NewOpportunity(Guid CustomerId, Guid OwnerId, string Title, decimal Amount, string Currency, DateTimeOffset? ExpectedCloseAt, int? Probability);

/// <summary>A stage move with optional new figures.</summary>
public sealed record OpportunityMove(OpportunityStage To, string? LostReason, int? Probability, decimal? Amount, DateTimeOffset? ExpectedCloseAt);

/// <summary>Opportunities and their stage history; moves follow <see cref="PipelineStages"/>.</summary>
public sealed class PipelineBook(CustomerDb db, TimeProvider clock)
{
    public async Task<Opportunity> OpenAsync(NewOpportunity opening, CancellationToken ct)
    {
        await db.RequireEngageableAsync(opening.CustomerId, ct);
        var opportunity = new Opportunity
        {
            Id = Guid.CreateVersion7(),
            CustomerId = opening.CustomerId,
            OwnerId = opening.OwnerId,
            Title = opening.Title,
            Stage = OpportunityStage.FirstContact,
            Amount = opening.Amount,
            Currency = opening.Currency,
            ExpectedCloseAt = opening.ExpectedCloseAt,
            Probability = opening.Probability ?? PipelineStages.DefaultProbability(OpportunityStage.FirstContact),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Add(opportunity);
        await db.SaveChangesAsync(ct);
        return opportunity;
    }

    public async Task<Opportunity> MoveAsync(Guid id, OpportunityMove move, string changedBy, CancellationToken ct)
    {
        var opportunity = await db.Set<Opportunity>().SingleOrDefaultAsync(o => o.Id == id, ct) ?? throw new NotFoundException("opportunity", id.ToString());
        await db.RequireEngageableAsync(opportunity.CustomerId, ct);
        if (!PipelineStages.CanMove(opportunity.Stage, move.To))
        {
            var allowed = string.Join(", ", PipelineStages.AllowedFrom(opportunity.Stage).Select(EngagementNames.Of));
            throw new PreconditionFailedException("STAGE_MOVE_NOT_ALLOWED", id.ToString(),
                $"An opportunity in {EngagementNames.Of(opportunity.Stage)} can move to: {(allowed.Length == 0 ? "nothing (final)" : allowed)}");
        }

        db.Add(PipelineStages.Move(opportunity, move.To, move.LostReason, move.Probability, changedBy, clock.GetUtcNow()));
        if (move.Amount is { } amount)
        {
            opportunity.Amount = amount;
        }

        if (move.ExpectedCloseAt is { } close)
        {
            opportunity.ExpectedCloseAt = close;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("The opportunity was moved concurrently; read it again");
        }

        return opportunity;
    }

    public async Task<(Opportunity Opportunity, IReadOnlyList<OpportunityStageChange> History)> GetAsync(Guid id, CancellationToken ct)
    {
        var opportunity = await db.Set<Opportunity>().AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct) ?? throw new NotFoundException("opportunity", id.ToString());
        return (opportunity, await HistoryAsync([id], ct) is var h && h.TryGetValue(id, out var list) ? list : []);
    }

    /// <summary>Newest first (ids are time-ordered).</summary>
    public async Task<IReadOnlyList<Opportunity>> ListAsync(OpportunityStage? stage, Guid? ownerId, Guid? before, int size, CancellationToken ct)
    {
        var query = db.Set<Opportunity>().AsNoTracking();
        if (stage is { } s)
        {
            query = query.Where(o => o.Stage == s);
        }

        if (ownerId is { } owner)
        {
            query = query.Where(o => o.OwnerId == owner);
        }

        if (before is { } b)
        {
            query = query.Where(o => o.Id.CompareTo(b) < 0);
        }

        return await query.OrderByDescending(o => o.Id).Take(size + 1).ToListAsync(ct);
    }

    public async Task<IReadOnlyDictionary<Guid, List<OpportunityStageChange>>> HistoryAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await db.Set<OpportunityStageChange>().AsNoTracking().Where(c => ids.Contains(c.OpportunityId)).OrderBy(c => c.ChangedAt).ThenBy(c => c.Id).ToListAsync(ct))
        .GroupBy(c => c.OpportunityId).ToDictionary(g => g.Key, g => g.ToList());
}
