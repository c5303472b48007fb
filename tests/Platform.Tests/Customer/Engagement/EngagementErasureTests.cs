using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Domain = Platform.Customer.Engagement.Domain;

namespace Platform.Tests.Customer.Engagement;

/// <summary>Erasure reaches the engagement records: their free text is scrubbed, their figures stay, and nothing new is recorded.</summary>
public sealed class EngagementErasureTests(EngagementServices services) : IClassFixture<EngagementServices>
{
    private const string Erased = "[erased]";

    private CustomerConsents.CustomerConsentsClient Consents => new(services.Service.Channel);

    /// <summary>What the KPIs and supervision figures are computed from, per kind of record, with the free text left out.</summary>
    private sealed record Figures(
        string Interactions, string Grades, string Opportunities, string StageChanges, string Tasks, string Consents, string Loyalty, int ErasedEvents);

    private Task<Figures> FiguresAsync(Guid customer) => services.QueryAsync(async db =>
    {
        var opportunityIds = await db.Set<Domain.Opportunity>().Where(o => o.CustomerId == customer).Select(o => o.Id).ToListAsync();
        return new Figures(
            Join(await db.Set<Domain.Interaction>().Where(i => i.CustomerId == customer).OrderBy(i => i.Id)
                .Select(i => $"{i.Id}/{i.TaskId}/{i.Kind}/{i.RecordedBy}/{i.OccurredAt:O}").ToListAsync()),
            Join(await db.Set<Domain.IntentGradeRecord>().Where(r => r.CustomerId == customer).OrderBy(r => r.Id)
                .Select(r => $"{r.Id}/{r.From}/{r.To}/{r.ChangedBy}/{r.ChangedAt:O}").ToListAsync()),
            Join(await db.Set<Domain.Opportunity>().Where(o => o.CustomerId == customer).OrderBy(o => o.Id)
                .Select(o => $"{o.Id}/{o.Stage}/{o.Amount}/{o.Currency}/{o.Probability}/{o.OwnerId}/{o.ExpectedCloseAt:O}").ToListAsync()),
            Join(await db.Set<Domain.OpportunityStageChange>().Where(c => opportunityIds.Contains(c.OpportunityId)).OrderBy(c => c.Id)
                .Select(c => $"{c.Id}/{c.From}/{c.To}/{c.ChangedBy}").ToListAsync()),
            Join(await db.Set<Domain.FollowUpTask>().Where(t => t.CustomerId == customer).OrderBy(t => t.Id)
                .Select(t => $"{t.Id}/{t.DueAt:O}/{t.CompletedAt:O}/{t.State}").ToListAsync()),
            Join(await db.Set<Platform.Customer.Domain.ConsentChange>().Where(c => c.CustomerId == customer).OrderBy(c => c.Id)
                .Select(c => $"{c.Id}/{c.Purpose}/{c.Granted}/{c.ChangedAt:O}").ToListAsync()),
            Join(await db.Set<Domain.LoyaltyEntry>().Where(e => e.CustomerId == customer).OrderBy(e => e.Id)
                .Select(e => $"{e.Id}/{e.Kind}/{e.Points}").ToListAsync()),
            (await services.OutboxAsync<CustomerErased>()).Count(p => p.Contains(customer.ToString(), StringComparison.Ordinal)));
    });

    private static string Join(List<string> rows) => string.Join(" | ", rows);

    /// <summary>Rows holding <paramref name="text"/> anywhere in the customer database: every table's rows as text, and the stored answers' bytes.</summary>
    private Task<Dictionary<string, int>> WhereTextIsAsync(string text) => services.QueryAsync(async db =>
    {
        var tables = await db.Database.SqlQueryRaw<string>(
            "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'").ToListAsync();
        var found = new Dictionary<string, int>();
        foreach (var table in tables)
        {
#pragma warning disable EF1003 // the table names come from the catalogue, the text is a parameter
            var rows = await db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM \"" + table + "\" t WHERE t::text LIKE '%' || {0} || '%'", text).SingleAsync();
#pragma warning restore EF1003
            if (rows > 0)
            {
                found[table] = rows;
            }
        }

        var answers = await db.Database.SqlQuery<int>(
            $"SELECT count(*)::int AS \"Value\" FROM idempotent_requests WHERE position(convert_to({text}, 'UTF8') IN response) > 0").SingleAsync();
        if (answers > 0)
        {
            found["idempotent_requests.response"] = answers;
        }

        return found;
    });

    private static void RefusedAsErased(RpcException e, string customerId)
    {
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("CUSTOMER_ERASED", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal($"customers/{customerId}", e.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations.Single().Subject);
        Assert.Contains(customerId, e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_scrubs_every_engagement_note_keeps_the_figures_refuses_new_engagement_and_replays_without_change()
    {
        var secret = "Secret-" + Guid.NewGuid().ToString("N")[..10];
        var owner = Guid.NewGuid();
        var customer = await services.RegisterAsync(owner);
        var id = Guid.Parse(customer.CustomerId);
        var sales = Tokens.As(Roles.SalesRep);

        // One of each kind of engagement record, every free-text field carrying the secret.
        var grading = new SetIntentGradeRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customer.CustomerId,
            IntentGrade = IntentGrade.A,
            Reason = $"{secret} grade: budget approved by Mr Wang",
        };
        await services.Grading.SetIntentGradeAsync(grading, sales);
        var task = (await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest { CustomerId = customer.CustomerId }, sales)).Tasks.Single();
        var completion = new CompleteFollowUpTaskRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            TaskId = task.TaskId,
            Kind = InteractionKind.Call,
            Outcome = $"{secret} outcome: his wife is ill, call back",
        };
        var completed = await services.FollowUps.CompleteFollowUpTaskAsync(completion, sales);
        var lost = await services.Pipeline.OpenOpportunityAsync(new OpenOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customer.CustomerId,
            OwnerId = owner.ToString(),
            Title = $"{secret} title: lost deal",
            Amount = new Google.Type.Money { Units = 36000, CurrencyCode = "CNY" },
        }, sales);
        await services.Pipeline.MoveOpportunityAsync(new MoveOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            OpportunityId = lost.OpportunityId,
            ToStage = OpportunityStage.Lost,
            LostReason = $"{secret} lost: went bankrupt",
        }, sales);
        var open = await services.Pipeline.OpenOpportunityAsync(new OpenOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customer.CustomerId,
            OwnerId = owner.ToString(),
            Title = $"{secret} title: open deal",
            Amount = new Google.Type.Money { Units = 12000, CurrencyCode = "CNY" },
        }, sales);
        await services.Pipeline.MoveOpportunityAsync(new MoveOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            OpportunityId = open.OpportunityId,
            ToStage = OpportunityStage.NeedsDiscovery,
        }, sales);
        await Consents.SetConsentAsync(new SetConsentRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customer.CustomerId,
            Purpose = ConsentPurpose.Marketing,
            Granted = true,
            Source = $"{secret} source: phone call",
        }, sales);
        var paid = new PaymentReceived(Guid.NewGuid(), DateTimeOffset.UtcNow, Guid.NewGuid(), id, 5000m, "CNY", "bank_transfer", DateTimeOffset.UtcNow);
        await services.DeliverAsync(paid);
        // An answer stored before the engagement answers named their customer: found by the id it carries.
        var legacyKey = nameof(CompleteFollowUpTaskRequest) + ":" + completion.RequestId;
        await services.QueryAsync(db => db.Database.ExecuteSqlAsync($"UPDATE idempotent_requests SET subjects = NULL WHERE key = {legacyKey}"));

        var before = await FiguresAsync(id);
        var foundBefore = await WhereTextIsAsync(secret);

        var erasure = new EraseCustomerRequest { RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Reason = "customer asked" };
        var erased = await services.Customers.EraseCustomerAsync(erasure, Tokens.As(Roles.SalesManager));
        var after = await FiguresAsync(id);
        var foundAfter = await WhereTextIsAsync(secret);

        // The text was everywhere, and is nowhere now.
        Assert.Superset(new HashSet<string>
        {
            "interactions", "intent_grade_changes", "opportunities", "customer_consents", "outbox_messages", "idempotent_requests.response",
        }, foundBefore.Keys.ToHashSet());
        Assert.Empty(foundAfter);

        // Ids, kinds, amounts, stages, dates and who-did-it stay: the figures are computed as before.
        Assert.Equal(before with { Tasks = "", ErasedEvents = 0 }, after with { Tasks = "", ErasedEvents = 0 });
        Assert.Equal(2, after.Opportunities.Split(" | ").Length);
        Assert.Contains("/Lost/36000", after.Opportunities, StringComparison.Ordinal);
        Assert.Contains("/NeedsDiscovery/12000", after.Opportunities, StringComparison.Ordinal);
        Assert.Contains($"/{paid.Amount:0}", after.Loyalty, StringComparison.Ordinal);
        Assert.Equal(1, after.ErasedEvents);
        var taskStates = after.Tasks.Split(" | ").Select(t => t[(t.LastIndexOf('/') + 1)..]).ToList();
        Assert.Equal(["Done", "Cancelled"], taskStates); // the plan's next task is cancelled: nobody follows up an erased customer
        Assert.Equal(before.Tasks.Split(" | ")[0], after.Tasks.Split(" | ")[0]);

        // Reads answer the scrubbed records.
        var interactions = await services.FollowUps.ListInteractionsAsync(new ListInteractionsRequest { CustomerId = customer.CustomerId }, sales);
        var lostRead = await services.Pipeline.GetOpportunityAsync(new GetOpportunityRequest { OpportunityId = lost.OpportunityId }, sales);
        var grades = await services.Grading.ListIntentGradeHistoryAsync(new ListIntentGradeHistoryRequest { CustomerId = customer.CustomerId }, sales);
        var consents = await Consents.GetConsentsAsync(new GetConsentsRequest { CustomerId = customer.CustomerId }, sales);
        Assert.Equal([Erased], interactions.Interactions.Select(i => i.Outcome));
        Assert.Equal(completed.Interaction.InteractionId, interactions.Interactions.Single().InteractionId);
        Assert.Equal((Erased, Erased, OpportunityStage.Lost, 36000L), (lostRead.Title, lostRead.LostReason, lostRead.Stage, lostRead.Amount.Units));
        Assert.Equal([OpportunityStage.Lost], lostRead.History.Select(h => h.To));
        Assert.Equal([Erased], grades.Changes.Select(c => c.Reason));
        Assert.Equal(IntentGrade.A, grades.Changes.Single().To);
        Assert.All(consents.History, c => Assert.Equal(Erased, c.Source));

        // Nothing new is recorded about the customer; the refusal names it.
        RefusedAsErased(await Assert.ThrowsAsync<RpcException>(async () => await services.Pipeline.OpenOpportunityAsync(new OpenOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customer.CustomerId,
            OwnerId = owner.ToString(),
            Title = "new deal",
            Amount = new Google.Type.Money { Units = 1, CurrencyCode = "CNY" },
        }, sales)), customer.CustomerId);
        RefusedAsErased(await Assert.ThrowsAsync<RpcException>(async () => await services.Pipeline.MoveOpportunityAsync(new MoveOpportunityRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            OpportunityId = open.OpportunityId,
            ToStage = OpportunityStage.Lost,
            LostReason = "gone",
        }, sales)), customer.CustomerId);
        RefusedAsErased(await Assert.ThrowsAsync<RpcException>(async () => await services.FollowUps.CompleteFollowUpTaskAsync(new CompleteFollowUpTaskRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            TaskId = completed.NextTask.TaskId,
            Kind = InteractionKind.Visit,
            Outcome = "visited",
        }, sales)), customer.CustomerId);
        RefusedAsErased(await Assert.ThrowsAsync<RpcException>(async () => await services.Grading.SetIntentGradeAsync(new SetIntentGradeRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customer.CustomerId,
            IntentGrade = IntentGrade.B,
            Reason = "cooling down",
        }, sales)), customer.CustomerId);
        RefusedAsErased(await Assert.ThrowsAsync<RpcException>(async () => await services.Loyalty.RedeemPointsAsync(new RedeemPointsRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CustomerId = customer.CustomerId,
            Points = 1000,
        }, sales)), customer.CustomerId);
        RefusedAsErased(await Assert.ThrowsAsync<RpcException>(async () => await services.Loyalty.RecordReferralAsync(new RecordReferralRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            ReferrerCustomerId = customer.CustomerId,
            ReferredCustomerId = (await services.RegisterAsync()).CustomerId,
        }, sales)), customer.CustomerId);

        // The earlier answers went with the text: replaying one is refused rather than applied again.
        foreach (var replay in new Func<Task>[]
        {
            async () => await services.Grading.SetIntentGradeAsync(grading, sales),
            async () => await services.FollowUps.CompleteFollowUpTaskAsync(completion, sales),
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(replay);
            Assert.Equal((StatusCode.FailedPrecondition, "ANSWER_ERASED"), (refused.StatusCode, refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason));
        }

        // The erasure replayed (same request) answers the same and changes nothing; a new erasure request changes nothing either.
        var replayed = await services.Customers.EraseCustomerAsync(erasure, Tokens.As(Roles.SalesManager));
        var again = await services.Customers.EraseCustomerAsync(new EraseCustomerRequest { RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Reason = "customer asked" }, Tokens.As(Roles.SalesManager));
        Assert.Equal(erased, replayed);
        Assert.Equal(erased.DisplayName, again.DisplayName);
        Assert.Equal(after, await FiguresAsync(id));
        Assert.Empty(await WhereTextIsAsync(secret));
    }
}
