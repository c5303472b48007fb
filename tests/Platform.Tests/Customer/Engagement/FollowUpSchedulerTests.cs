using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.Customer.Engagement.Application;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using CustomerDomain = Platform.Customer.Domain;

namespace Platform.Tests.Customer.Engagement;

/// <summary>The customer service on a fake clock with its scheduler running.</summary>
public sealed class ScheduledEngagementServices() : EngagementHost(new FakeTimeProvider(DateTimeOffset.UtcNow), scheduler: true);

public sealed class FollowUpSchedulerTests(ScheduledEngagementServices services) : IClassFixture<ScheduledEngagementServices>
{
    private static readonly TimeSpan Precision = TimeSpan.FromMilliseconds(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Customers_of_each_grade_get_tasks_due_by_their_cadence_and_overdue_tasks_raise_FollowUpDue_once()
    {
        var clock = services.Clock!;
        var due = new ConcurrentBag<FollowUpDue>();
        var endpoint = services.Bus.ConnectReceiveEndpoint("engagement-test-follow-up-due", e => e.Handler<FollowUpDue>(ctx =>
        {
            due.Add(ctx.Message);
            return Task.CompletedTask;
        }));
        await endpoint.Ready;
        try
        {
            // The story happens on the fake clock; every RPC is made before the clock moves (tokens live on the real clock).
            var owner = Guid.NewGuid();
            var start = clock.GetUtcNow();
            var byGrade = new Dictionary<IntentGrade, string>();
            foreach (var grade in new[] { IntentGrade.A, IntentGrade.B, IntentGrade.C })
            {
                var customer = await services.RegisterAsync(owner);
                await services.Grading.SetIntentGradeAsync(new SetIntentGradeRequest
                {
                    RequestId = Guid.NewGuid().ToString(),
                    CustomerId = customer.CustomerId,
                    IntentGrade = grade,
                    Reason = "first meeting",
                }, Tokens.As(Roles.SalesRep));
                byGrade[grade] = customer.CustomerId;
            }

            var idle = await services.RegisterAsync();
            await services.DeliverAsync(new ContractSigned(Guid.NewGuid(), start, Guid.NewGuid(), Guid.Parse(idle.CustomerId), "C-9", 100m, "CNY", "prepaid", start));
            var lapsing = await services.RegisterAsync();
            await services.DeliverAsync(new PaymentReceived(Guid.NewGuid(), start, Guid.NewGuid(), Guid.Parse(lapsing.CustomerId), 5000m, "CNY", "card", start.AddDays(-358)));
            var tierBefore = (await services.Grading.GetValueTierAsync(new GetValueTierRequest { CustomerId = lapsing.CustomerId }, Tokens.As(Roles.SalesRep))).ValueTier;
            var tasks = (await services.FollowUps.ListFollowUpTasksAsync(new ListFollowUpTasksRequest { OwnerId = owner.ToString() }, Tokens.As(Roles.SalesRep))).Tasks;

            Assert.Equal([IntentGrade.A, IntentGrade.B, IntentGrade.C], tasks.Select(t => t.IntentGrade));
            Assert.Equal([byGrade[IntentGrade.A], byGrade[IntentGrade.B], byGrade[IntentGrade.C]], tasks.Select(t => t.CustomerId));
            Assert.Equal([InteractionKind.Call, InteractionKind.Email, InteractionKind.Newsletter], tasks.Select(t => t.Channel));
            foreach (var (task, days) in tasks.Zip([7, 14, 30]))
            {
                Assert.Equal(start.AddDays(days), task.DueTime.ToDateTimeOffset(), Precision);
            }

            // Eight days on, only the weekly (A) task is overdue: the scheduler raises FollowUpDue for it.
            clock.Advance(TimeSpan.FromDays(8));
            await Eventually.Until(() => Task.FromResult(due.Count(d => d.CustomerId.ToString() == byGrade[IntentGrade.A])), n => n >= 1, what: "FollowUpDue for the A task");
            // More passes at once (other replicas, a restart) raise nothing new: one holds the lock, the others skip.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunScanAsync()));

            // What the service announced is its outbox (the bus delivers those rows): one FollowUpDue, for the A task.
            var announced = Assert.Single(await FollowUpsDueAnnouncedAsync(owner));
            Assert.Equal(Guid.Parse(byGrade[IntentGrade.A]), announced.CustomerId);
            var first = Assert.Single(due, d => d.CustomerId.ToString() == byGrade[IntentGrade.A]);
            Assert.Equal((owner, "call", tasks[0].TaskId), (first.OwnerId, first.Channel, first.TaskId.ToString()));
            Assert.DoesNotContain(due, d => d.CustomerId.ToString() == byGrade[IntentGrade.B]);

            // The lapsing customer's only payment left the 12-month window: the scan lowers the tier.
            Assert.Equal(ValueTier.Mid, tierBefore);
            Assert.Equal(CustomerDomain.ValueTier.Low, await services.QueryAsync(db => db.Set<CustomerDomain.CustomerProfile>()
                .Where(c => c.Id == Guid.Parse(lapsing.CustomerId)).Select(c => c.ValueTier).SingleAsync()));

            // Thirty-three days on: the B and C tasks are overdue too, and the customer without activity is dormant.
            clock.Advance(TimeSpan.FromDays(25));
            await Eventually.Until(() => Task.FromResult(due.Count(d => d.OwnerId == owner)), n => n >= 3, what: "FollowUpDue for the B and C tasks");
            var announcedAll = await FollowUpsDueAnnouncedAsync(owner);
            Assert.Equal(3, announcedAll.Count);
            Assert.Equal(tasks.Select(t => t.TaskId).Order(), announcedAll.Select(d => d.TaskId.ToString()).Order());
            Assert.Equal(3, due.Count(d => d.OwnerId == owner));
            var idleStage = await Eventually.Until(
                () => services.QueryAsync(db => db.Set<CustomerDomain.CustomerProfile>().Where(c => c.Id == Guid.Parse(idle.CustomerId)).Select(c => c.Stage).SingleAsync()),
                s => s == CustomerDomain.LifecycleStage.Dormant, what: "the idle customer to become dormant");
            Assert.Equal(CustomerDomain.LifecycleStage.Dormant, idleStage);
            var overdueRows = await services.QueryAsync(db => db.Set<Platform.Customer.Engagement.Domain.FollowUpTask>()
                .CountAsync(t => t.OwnerId == owner && t.OverdueRaisedAt != null));
            Assert.Equal(3, overdueRows);
        }
        finally
        {
            await endpoint.StopAsync();
        }
    }

    private async Task RunScanAsync()
    {
        await using var scope = services.Service.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EngagementScan>().RunAsync(CancellationToken.None);
    }

    /// <summary>The FollowUpDue events the service queued in its outbox for <paramref name="owner"/>'s tasks.</summary>
    private async Task<List<FollowUpDue>> FollowUpsDueAnnouncedAsync(Guid owner) =>
        [.. (await services.OutboxAsync<FollowUpDue>()).Select(p => JsonSerializer.Deserialize<FollowUpDue>(p, Json)!).Where(d => d.OwnerId == owner)];
}
