using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Events;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using WorkItem = Platform.Payment.Exceptions.Domain.WorkItem;
using WorkItemKind = Platform.Payment.Exceptions.Domain.WorkItemKind;
using Platform.Payment.Online.Jobs;
using Platform.Payment.Online.Providers.Simulator;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Payment.Online.OnlineHost;

namespace Platform.Tests.Payment.Online;

/// <summary>Online intents through the wallet simulator: notification, replay, forged signature, re-check, cancel.</summary>
public sealed class IntentTests(OnlineHost host) : IClassFixture<OnlineHost>
{
    private static IEnumerable<string> Fields(RpcException e) => e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field);

    private Task<PaymentIntent> CreateAsync(string customerId, decimal amount, WalletMethod method = WalletMethod.Alipay, string? requestId = null) =>
        host.CreateIntentAsync(customerId, amount, method, requestId);

    private Task<PaymentIntent> GetAsync(string id) => host.IntentAsync(id);

    private Task<List<Platform.Payment.Domain.Payment>> PaymentsAsync(string reference) =>
        host.Payment.QueryAsync<PaymentDb, List<Platform.Payment.Domain.Payment>>(db => db.Payments.AsNoTracking().Where(p => p.Reference == reference).ToListAsync());

    private async Task<int> AnnouncedAsync(string customerId) =>
        (await host.OutboxAsync<PaymentReceived>()).Count(e => e.GetProperty("customerId").GetString() == customerId);

    private Task<HttpStatusCode> PostAsync(string path) => host.PostAsync(path);

    /// <summary>A notification as the simulator sends it, signed with <paramref name="secret"/> at <paramref name="at"/>.</summary>
    private async Task<HttpStatusCode> NotifyAsync(PaymentIntent intent, string secret, DateTimeOffset at, decimal? amount = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new SimulatorNotification(intent.ProviderReference, Guid.Parse(intent.PaymentIntentId),
            SimulatorNotification.Paid, amount ?? intent.Amount.ToDecimal(), host.Clock.GetUtcNow(), null), SimulatorNotification.Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, SimulatorWallet.NotifyPath) { Content = new ByteArrayContent(body) };
        request.Headers.Add(SimulatorSignature.TimestampHeader, at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(SimulatorSignature.SignatureHeader, SimulatorSignature.Sign(secret, at.ToUnixTimeSeconds(), body));
        return (await host.Payment.CreateClient().SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Paid_intent_records_the_payment_once_and_announces_it_once()
    {
        var customer = Id();
        var intent = await CreateAsync(customer, 88.5m);
        Assert.Equal(PaymentIntentState.Pending, intent.State);
        Assert.StartsWith("SIM", intent.ProviderReference, StringComparison.Ordinal);
        Assert.Contains(intent.ProviderReference, intent.QrCodeContent, StringComparison.Ordinal);

        // The payer scans and pays; the simulator answers at once and notifies the service afterwards.
        Assert.Equal(HttpStatusCode.OK, await PostAsync($"/providers/simulator/orders/{intent.ProviderReference}/pay"));
        var paid = await Eventually.Until(() => GetAsync(intent.PaymentIntentId), i => i.State == PaymentIntentState.Succeeded, what: "the notification");

        var payment = Assert.Single(await PaymentsAsync(intent.ProviderReference));
        Assert.Equal(paid.PaymentId, payment.Id.ToString());
        Assert.Equal(Platform.Payment.Domain.PaymentState.Received, payment.State);
        Assert.Equal(Platform.Payment.Domain.PaymentMethod.Alipay, payment.Method);
        Assert.Equal(88.5m, payment.Amount);
        Assert.Equal(1, await AnnouncedAsync(customer));
        var announced = (await host.OutboxAsync<PaymentReceived>()).Single(e => e.GetProperty("customerId").GetString() == customer);
        Assert.Equal("alipay", announced.GetProperty("method").GetString());
        Assert.Equal(paid.PaymentId, announced.GetProperty("paymentId").GetString());
    }

    [Fact]
    public async Task Repeated_notification_is_applied_once_even_when_posted_concurrently()
    {
        var customer = Id();
        var intent = await CreateAsync(customer, 120m, WalletMethod.WechatPay);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => NotifyAsync(intent, Secret, host.Clock.GetUtcNow())));
        var again = await NotifyAsync(intent, Secret, host.Clock.GetUtcNow());

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.Equal(HttpStatusCode.OK, again);
        var payment = Assert.Single(await PaymentsAsync(intent.ProviderReference));
        Assert.Equal(Platform.Payment.Domain.PaymentMethod.WechatPay, payment.Method);
        Assert.Equal(PaymentIntentState.Succeeded, (await GetAsync(intent.PaymentIntentId)).State);
        Assert.Equal(1, await AnnouncedAsync(customer));
    }

    [Fact]
    public async Task Notification_with_a_bad_or_stale_signature_is_refused_logged_and_changes_nothing()
    {
        var intent = await CreateAsync(Id(), 66m);
        long rejected = 0;
        using var meter = new MeterListener();
        meter.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "payment.online.notifications_rejected")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref rejected, value));
        meter.Start();

        var forged = await NotifyAsync(intent, "not-the-shared-secret-at-all", host.Clock.GetUtcNow());
        var replayed = await NotifyAsync(intent, Secret, host.Clock.GetUtcNow().AddMinutes(-10));
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, SimulatorWallet.NotifyPath) { Content = new StringContent("{}") };
        var missing = (await host.Payment.CreateClient().SendAsync(unsigned)).StatusCode;

        Assert.Equal(HttpStatusCode.Unauthorized, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal(PaymentIntentState.Pending, (await GetAsync(intent.PaymentIntentId)).State);
        Assert.Empty(await PaymentsAsync(intent.ProviderReference));
        Assert.True(Interlocked.Read(ref rejected) >= 3);
        var security = host.Logs.Lines.Where(l => l.Contains("Security: refused a simulator notification", StringComparison.Ordinal)).ToList();
        Assert.Contains(security, l => l.Contains("Mismatch", StringComparison.Ordinal));
        Assert.Contains(security, l => l.Contains("Stale", StringComparison.Ordinal));
        Assert.Contains(security, l => l.Contains("Missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Notification_with_another_amount_records_what_was_paid_with_a_work_item_for_the_difference()
    {
        var customer = Id();
        var under = await CreateAsync(customer, 50m);
        var over = await CreateAsync(customer, 20m);
        var nothing = await CreateAsync(customer, 30m);

        Assert.Equal(HttpStatusCode.OK, await NotifyAsync(under, Secret, host.Clock.GetUtcNow(), amount: 49.5m));
        Assert.Equal(HttpStatusCode.OK, await NotifyAsync(over, Secret, host.Clock.GetUtcNow(), amount: 25m));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await NotifyAsync(nothing, Secret, host.Clock.GetUtcNow(), amount: 0m));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await NotifyAsync(nothing, Secret, host.Clock.GetUtcNow(), amount: 29.99999m));

        // The money the provider took is in the book, as much as it took.
        Assert.Equal(PaymentIntentState.Succeeded, (await GetAsync(under.PaymentIntentId)).State);
        Assert.Equal(49.5m, Assert.Single(await PaymentsAsync(under.ProviderReference)).Amount);
        Assert.Equal(25m, Assert.Single(await PaymentsAsync(over.ProviderReference)).Amount);
        Assert.Equal(PaymentIntentState.Pending, (await GetAsync(nothing.PaymentIntentId)).State);
        Assert.Empty(await PaymentsAsync(nothing.ProviderReference));

        var items = await host.Payment.QueryAsync<PaymentDb, List<WorkItem>>(db =>
            db.Set<WorkItem>().AsNoTracking().Where(w => w.CustomerId == Guid.Parse(customer)).OrderBy(w => w.Amount).ToListAsync());
        Assert.Collection(items,
            w => Assert.Equal((WorkItemKind.UnderPayment, 0.5m), (w.Kind, w.Amount)),
            w => Assert.Equal((WorkItemKind.OverPayment, 5m), (w.Kind, w.Amount)));
    }

    [Fact]
    public async Task Recheck_finalizes_an_intent_whose_notification_never_came_and_expires_an_unpaid_one()
    {
        var customer = Id();
        var lost = await CreateAsync(customer, 300m);
        var unpaid = await CreateAsync(customer, 400m);
        Assert.Equal(HttpStatusCode.OK, await PostAsync($"/providers/simulator/orders/{lost.ProviderReference}/pay?notify=false"));

        await host.RunAsync<IntentRecheckJob>();
        Assert.Equal(PaymentIntentState.Pending, (await GetAsync(lost.PaymentIntentId)).State); // too young to re-check

        host.Clock.Advance(TimeSpan.FromMinutes(3));
        await host.RunAsync<IntentRecheckJob>();
        Assert.Equal(PaymentIntentState.Succeeded, (await GetAsync(lost.PaymentIntentId)).State);
        Assert.Equal(PaymentIntentState.Pending, (await GetAsync(unpaid.PaymentIntentId)).State);
        Assert.Single(await PaymentsAsync(lost.ProviderReference));

        host.Clock.Advance(TimeSpan.FromMinutes(30));
        await host.RunAsync<IntentRecheckJob>();
        var expired = await GetAsync(unpaid.PaymentIntentId);
        Assert.Equal(PaymentIntentState.Expired, expired.State);
        Assert.Empty(await PaymentsAsync(unpaid.ProviderReference));
        Assert.Equal(HttpStatusCode.Conflict, await PostAsync($"/providers/simulator/orders/{unpaid.ProviderReference}/pay"));
        Assert.Equal(1, await AnnouncedAsync(customer));
    }

    [Fact]
    public async Task Cancelled_intent_can_no_longer_be_paid_and_cannot_be_cancelled_twice_over_a_final_state()
    {
        var intent = await CreateAsync(Id(), 10m);
        var cancel = new CancelPaymentIntentRequest { RequestId = Id(), PaymentIntentId = intent.PaymentIntentId };

        var cancelled = await host.Intents.CancelPaymentIntentAsync(cancel, Tokens.As(Roles.FinanceClerk));
        var repeat = await host.Intents.CancelPaymentIntentAsync(cancel, Tokens.As(Roles.FinanceClerk));

        Assert.Equal(PaymentIntentState.Cancelled, cancelled.State);
        Assert.Equal(cancelled, repeat);
        Assert.Equal(HttpStatusCode.Conflict, await PostAsync($"/providers/simulator/orders/{intent.ProviderReference}/pay"));
        var again = await Assert.ThrowsAsync<RpcException>(() => host.Intents.CancelPaymentIntentAsync(
            new CancelPaymentIntentRequest { RequestId = Id(), PaymentIntentId = intent.PaymentIntentId }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task An_intent_naming_what_a_payment_may_not_name_is_refused_naming_the_field_and_nothing_is_stored()
    {
        var customer = Id();
        var invoice = Id();
        Task<int> IntentsAsync() => host.Payment.QueryAsync<PaymentDb, int>(db => db.Set<Platform.Payment.Online.Domain.PaymentIntent>().CountAsync());
        var before = await IntentsAsync();
        Task<PaymentIntent> Create(IEnumerable<string> invoiceIds, string contractId = "") => host.Intents.CreatePaymentIntentAsync(new CreatePaymentIntentRequest
        {
            RequestId = Id(), CustomerId = customer, Amount = 5m.ToMoney("CNY"), Method = WalletMethod.Alipay, InvoiceIds = { invoiceIds }, ContractId = contractId,
        }, Tokens.As(Roles.FinanceClerk)).ResponseAsync;

        // The payment the intent records names the same invoices and contract: RecordPayment takes each invoice once, at
        // most 100, and a contract's deposit or invoices, not both.
        var twice = await Assert.ThrowsAsync<RpcException>(() => Create([invoice, invoice]));
        var many = await Assert.ThrowsAsync<RpcException>(() => Create(Enumerable.Range(0, 101).Select(_ => Id())));
        var both = await Assert.ThrowsAsync<RpcException>(() => Create([invoice], Id()));

        Assert.All([twice, many, both], e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.Equal(["invoice_ids[1]"], Fields(twice));
        Assert.Equal(["invoice_ids"], Fields(many));
        Assert.Equal(["invoice_ids"], Fields(both));
        Assert.Equal(before, await IntentsAsync());
    }

    [Fact]
    public async Task Create_is_idempotent_and_refuses_bad_input_naming_the_field()
    {
        var customer = Id();
        var requestId = Id();
        var first = await CreateAsync(customer, 20m, requestId: requestId);
        var twin = await CreateAsync(customer, 20m, requestId: requestId);
        Assert.Equal(first.PaymentIntentId, twin.PaymentIntentId);

        var reused = await Assert.ThrowsAsync<RpcException>(() => CreateAsync(customer, 21m, requestId: requestId));
        Assert.Equal(StatusCode.InvalidArgument, reused.StatusCode);
        Assert.Equal("amount", Fields(reused).Single());

        var bad = await Assert.ThrowsAsync<RpcException>(() => host.Intents.CreatePaymentIntentAsync(new CreatePaymentIntentRequest
        {
            RequestId = Id(), CustomerId = customer, Amount = 5m.ToMoney("CNY"), Method = WalletMethod.Unspecified,
        }, Tokens.As(Roles.FinanceClerk)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal("method", Fields(bad).Single());

        var denied = await Assert.ThrowsAsync<RpcException>(() => host.Intents.CreatePaymentIntentAsync(new CreatePaymentIntentRequest
        {
            RequestId = Id(), CustomerId = customer, Amount = 5m.ToMoney("CNY"), Method = WalletMethod.Alipay,
        }, Tokens.As(Roles.SalesRep)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }
}
