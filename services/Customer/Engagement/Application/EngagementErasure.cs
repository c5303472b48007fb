using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.Customer.Engagement.Domain;

namespace Platform.Customer.Engagement.Application;

/// <summary>How many engagement records an erasure scrubbed, per kind.</summary>
public sealed record ScrubbedEngagement(int Interactions, int GradeReasons, int Opportunities, int CancelledTasks, int Consents, int Events, int Answers)
{
    /// <summary>The records changed, the stored answers forgotten left out.</summary>
    public int Records => Interactions + GradeReasons + Opportunities + CancelledTasks + Consents + Events;
}

/// <summary>
/// The engagement side of an erasure: the free text people wrote about the customer (interaction outcomes, intent-grade
/// reasons, opportunity titles and lost reasons, consent sources, the reason in the queued IntentGradeChanged events,
/// the stored answers that repeat them) is replaced by <see cref="Marker"/>, while ids, amounts, points, dates, stages,
/// grades and who-did-it stay, so the pipeline, execution-rate and loyalty figures still add up. The open follow-up task
/// is cancelled: nobody follows up an erased customer. Runs inside the erasure's transaction.
/// </summary>
public sealed class EngagementErasure(CustomerDb db)
{
    public const string Marker = "[erased]";

    /// <summary>Operations whose stored answers carry free text about a customer; they name it as a subject since this change.</summary>
    private static readonly string[] AnswerOperations =
        [nameof(Contracts.Customer.V1.SetIntentGradeRequest), nameof(Contracts.Customer.V1.CompleteFollowUpTaskRequest),
            nameof(Contracts.Customer.V1.OpenOpportunityRequest), nameof(Contracts.Customer.V1.MoveOpportunityRequest),
            nameof(Contracts.Customer.V1.SetConsentRequest)];

    public async Task<ScrubbedEngagement> ScrubAsync(Guid customerId, DateTimeOffset now, CancellationToken ct)
    {
        var interactions = await db.Set<Interaction>().Where(i => i.CustomerId == customerId && i.Outcome != Marker)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Outcome, Marker), ct);
        var grades = await db.Set<IntentGradeRecord>().Where(r => r.CustomerId == customerId && r.Reason != Marker)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Reason, Marker), ct);
        var opportunities = await db.Set<Opportunity>().Where(o => o.CustomerId == customerId && (o.Title != Marker || (o.LostReason != null && o.LostReason != Marker)))
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.Title, Marker).SetProperty(o => o.LostReason, o => o.LostReason == null ? null : Marker), ct);
        var tasks = await db.Set<FollowUpTask>().Where(t => t.CustomerId == customerId && t.State == FollowUpTaskState.Open)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.State, FollowUpTaskState.Cancelled), ct);
        var consents = await db.Set<ConsentChange>().Where(c => c.CustomerId == customerId && c.Source != Marker)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Source, Marker), ct);
        return new ScrubbedEngagement(interactions, grades, opportunities, tasks, consents, await ScrubEventsAsync(customerId, ct),
            await ForgetUnnamedAnswersAsync(customerId, now, ct));
    }

    /// <summary>
    /// The reason of an IntentGradeChanged still waiting in the outbox would otherwise be published after the erasure,
    /// and a sent one stays readable in the table. Erasures are rare: the scan of the customer's grade events is fine.
    /// </summary>
    private Task<int> ScrubEventsAsync(Guid customerId, CancellationToken ct)
    {
        var type = typeof(IntentGradeChanged).FullName!;
        var id = customerId.ToString();
        return db.Database.ExecuteSqlAsync($"""
            UPDATE outbox_messages SET payload = jsonb_set(payload, ARRAY['reason'], to_jsonb({Marker}::text))
            WHERE message_type = {type} AND payload ->> 'customerId' = {id} AND payload ->> 'reason' <> {Marker}
            """, ct);
    }

    /// <summary>
    /// Answers of the engagement RPCs stored before they named their customer as a subject: found by the customer id in
    /// the answer, forgotten the way <see cref="IdempotentRequests{TDb}.ForgetAsync"/> forgets (a replay is refused), and
    /// given the customer as subject so that the cached copies are removed with the others after the commit.
    /// </summary>
    private async Task<int> ForgetUnnamedAnswersAsync(Guid customerId, DateTimeOffset now, CancellationToken ct)
    {
        var id = System.Text.Encoding.ASCII.GetBytes(customerId.ToString());
        var prefixes = AnswerOperations.Select(o => o + ":%").ToArray();
        string[] subjects = [Customer.Grpc.CustomersApi.CustomerSubject(customerId)];
        return await db.Database.ExecuteSqlAsync($"""
            UPDATE idempotent_requests SET response = ''::bytea, erased_at = {now}, subjects = {subjects}
            WHERE subjects IS NULL AND erased_at IS NULL AND key LIKE ANY ({prefixes}) AND position({id} IN response) > 0
            """, ct);
    }
}
