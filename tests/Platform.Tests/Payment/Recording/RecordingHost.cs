using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Events;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using WorkItem = Platform.Payment.Exceptions.Domain.WorkItem;
using Platform.Testing;
using PaymentProgram = Platform.Payment.Program;

namespace Platform.Tests.Payment.Recording;

/// <summary>
/// The payment service in-process (as <see cref="PaymentHost"/>) with a fake clock the tests move, so work item ages and
/// receive times are exact; clients of the recording, virtual account and exception APIs; and readers of the outbox.
/// </summary>
public sealed class RecordingHost : IAsyncLifetime
{
    // Whole seconds: PostgreSQL keeps microseconds, so times read back compare equal to the ones computed here.
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public ServiceHost<PaymentProgram> Payment { get; private set; } = null!;

    public Payments.PaymentsClient Payments => new(Payment.Channel);

    public Contracts.Payment.V1.VirtualAccounts.VirtualAccountsClient VirtualAccounts => new(Payment.Channel);

    public PaymentExceptions.PaymentExceptionsClient Exceptions => new(Payment.Channel);

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        Payment = new ServiceHost<PaymentProgram>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:paymentdb"] = await infra.NewDatabaseAsync("recording"),
            ["ConnectionStrings:messaging"] = await infra.NewVirtualHostAsync("recording"),
            ["ConnectionStrings:cache"] = infra.Redis,
            ["services:billing:grpc:0"] = "http://localhost",
            ["services:customer:grpc:0"] = "http://localhost",
            ["Payment:VirtualAccounts:Prefix"] = "8801",
        });
        Payment.WithServices(s => s.AddSingleton<TimeProvider>(Clock));
        await Payment.StartedAsync();
    }

    public async Task DisposeAsync() => await Payment.DisposeAsync();

    public static string Id() => Guid.NewGuid().ToString();

    public static Google.Type.Money Cny(decimal amount) => amount.ToMoney("CNY");

    /// <summary>Publishes an event as another service's outbox relay would (its EventId is the message id).</summary>
    public Task PublishAsync<T>(T @event) where T : class, IIntegrationEvent =>
        Payment.Services.GetRequiredService<IBus>().Publish(@event, c => c.MessageId = @event.EventId);

    /// <summary>Outbox payloads of one event type that concern <paramref name="paymentId"/>.</summary>
    public async Task<List<JsonElement>> OutboxAsync(string eventName, string paymentId)
    {
        var payloads = await Payment.QueryAsync<PaymentDb, List<string>>(db => db.Set<OutboxMessage>()
            .Where(m => m.MessageType == "Platform.Contracts.Events." + eventName).OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync());
        return payloads.Select(p => JsonDocument.Parse(p).RootElement).Where(e => e.GetProperty("paymentId").GetString() == paymentId).ToList();
    }

    /// <summary>Row counts of everything a request could write, to show a refused one wrote nothing.</summary>
    public Task<string> CountsAsync() => Payment.QueryAsync<PaymentDb, string>(async db => string.Join(",",
        await db.Payments.CountAsync(), await db.Set<OutboxMessage>().CountAsync(), await db.Set<WorkItem>().CountAsync(),
        await db.Set<AuditEntry>().CountAsync(), await db.Set<Platform.BuildingBlocks.Idempotency.IdempotentRequest>().CountAsync()));

    /// <summary>The work items of one payment.</summary>
    public Task<List<WorkItem>> WorkItemsOfAsync(string paymentId) => Payment.QueryAsync<PaymentDb, List<WorkItem>>(db =>
        db.Set<WorkItem>().Where(w => w.PaymentId == Guid.Parse(paymentId)).OrderBy(w => w.Kind).ToListAsync());

    /// <summary>A cash payment of <paramref name="amount"/> by <paramref name="customerId"/>, recorded by a finance clerk.</summary>
    public async Task<Contracts.Payment.V1.Payment> RecordAsync(RecordPaymentRequest request, string role = ServiceDefaults.Auth.Roles.FinanceClerk) =>
        await Payments.RecordPaymentAsync(request, Tokens.As(role));

    public static RecordPaymentRequest Cash(string customerId, decimal amount) => new()
    {
        RequestId = Id(),
        CustomerId = customerId,
        Method = PaymentMethod.Cash,
        Amount = Cny(amount),
        Reference = "till-7",
    };

    public static RecordPaymentRequest Cheque(string customerId, decimal amount, string number = "000123") => new()
    {
        RequestId = Id(),
        CustomerId = customerId,
        Method = PaymentMethod.Cheque,
        Amount = Cny(amount),
        Cheque = new ChequeDetails { ChequeNumber = number, DrawerBank = "Bank of Hangzhou" },
    };

    public static IReadOnlyList<string> Fields(RpcException e) => e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).ToList();

    public static string Reason(RpcException e) => e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason;
}
