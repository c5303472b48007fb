using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Payment.Domain;

namespace Platform.Payment.Online.Providers.Simulator;

/// <summary>
/// The simulated wallet's side: its orders, the payer's actions, and the signed notification it posts back to the
/// service after the payer acts (asynchronously, as Alipay and WeChat Pay do). Its books live in this process's
/// memory: after a restart it no longer knows earlier orders and answers them "unknown", like a provider that lost
/// track; the service's re-check then expires them.
/// </summary>
public sealed class SimulatorWallet(IHttpClientFactory http, IOptions<OnlineOptions> options, TimeProvider clock, ILogger<SimulatorWallet> log)
{
    public const string HttpClientName = "payment-simulator";
    public const string NotifyPath = "/providers/simulator/notify";

    private readonly ConcurrentDictionary<string, Order> orders = new();
    private readonly ConcurrentDictionary<Guid, ProviderTransferReport> refunds = new();

    private SimulatorOptions Settings => options.Value.Simulator;

    public IssuedOrder Create(WalletOrder order)
    {
        var reference = "SIM" + order.IntentId.ToString("N").ToUpperInvariant();
        orders.GetOrAdd(reference, _ => new Order(order.IntentId, order.Amount, order.Method, order.ExpiresAt));
        return new IssuedOrder(reference, new Uri(Settings.ServiceBaseUrl, $"/providers/simulator/orders/{reference}/pay").ToString());
    }

    public WalletPaymentReport Query(string reference)
    {
        if (!orders.TryGetValue(reference, out var order))
        {
            return new WalletPaymentReport(WalletPaymentStatus.Unknown);
        }

        lock (order)
        {
            return order.Status switch
            {
                WalletPaymentStatus.Paid => new WalletPaymentReport(WalletPaymentStatus.Paid, order.PaidAt, order.Amount),
                WalletPaymentStatus.Failed => new WalletPaymentReport(WalletPaymentStatus.Failed, Reason: order.Reason),
                _ => new WalletPaymentReport(WalletPaymentStatus.Pending, Amount: order.Amount),
            };
        }
    }

    public void Close(string reference)
    {
        if (orders.TryGetValue(reference, out var order))
        {
            lock (order)
            {
                order.Closed |= order.Status == WalletPaymentStatus.Pending;
            }
        }
    }

    /// <summary>
    /// The payer scanned the code and paid (or the payment failed). Answers false when the order is unknown, closed,
    /// expired or already settled. The notification is posted after this returns, unless <paramref name="notify"/>
    /// is false (a lost notification, for trying the service's re-check).
    /// </summary>
    public bool Settle(string reference, bool paid, bool notify, string? reason = null)
    {
        if (!orders.TryGetValue(reference, out var order))
        {
            return false;
        }

        SimulatorNotification notification;
        lock (order)
        {
            var now = clock.GetUtcNow();
            if (order.Status != WalletPaymentStatus.Pending || order.Closed || now > order.ExpiresAt)
            {
                return false;
            }

            order.Status = paid ? WalletPaymentStatus.Paid : WalletPaymentStatus.Failed;
            order.PaidAt = paid ? now : null;
            order.Reason = paid ? null : reason ?? "the payer's wallet declined the payment";
            notification = new SimulatorNotification(reference, order.IntentId, paid ? SimulatorNotification.Paid : SimulatorNotification.Failed,
                order.Amount, order.PaidAt, order.Reason);
        }

        if (notify)
        {
            _ = Task.Run(() => NotifyAsync(notification));
        }

        return true;
    }

    public ProviderTransferReport Refund(string reference, Guid refundId, decimal amount) => refunds.GetOrAdd(refundId, _ =>
    {
        if (!orders.TryGetValue(reference, out var order))
        {
            return new ProviderTransferReport(ProviderTransferStatus.Failed, Reason: $"the wallet does not know the payment {reference}");
        }

        lock (order)
        {
            if (order.Status != WalletPaymentStatus.Paid)
            {
                return new ProviderTransferReport(ProviderTransferStatus.Failed, Reason: $"the payment {reference} was not paid");
            }

            if (order.Refunded + amount > order.Amount)
            {
                return new ProviderTransferReport(ProviderTransferStatus.Failed, Reason: $"the refund exceeds what is left of the payment {reference}");
            }

            order.Refunded += amount;
            return new ProviderTransferReport(ProviderTransferStatus.Succeeded, "SIMR" + refundId.ToString("N").ToUpperInvariant());
        }
    });

    public ProviderTransferReport? QueryRefund(Guid refundId) => refunds.GetValueOrDefault(refundId);

    public IReadOnlyList<ProviderStatementLine> Statement(DateOnly day) =>
        orders.Where(o => o.Value.PaidAt is { } at && DateOnly.FromDateTime(at.UtcDateTime) == day)
            .Select(o => new ProviderStatementLine(day, o.Value.Amount, o.Key, o.Value.Method.WireName() + " payer"))
            .OrderBy(l => l.Reference, StringComparer.Ordinal)
            .ToList();

    private async Task NotifyAsync(SimulatorNotification notification)
    {
        try
        {
            await Task.Delay(Settings.NotifyDelay, clock);
            var body = JsonSerializer.SerializeToUtf8Bytes(notification, SimulatorNotification.Json);
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Settings.ServiceBaseUrl, NotifyPath))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
            };
            request.Headers.Add(SimulatorSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(SimulatorSignature.SignatureHeader, SimulatorSignature.Sign(Settings.Secret, timestamp, body));
            using var response = await http.CreateClient(HttpClientName).SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                log.LogWarning("The simulator's notification for {Reference} was answered {Status}", notification.Reference, (int)response.StatusCode);
            }
        }
        catch (Exception e)
        {
            // A real wallet would retry later; the service's re-check covers a notification that never arrives.
            log.LogWarning(e, "The simulator could not deliver the notification for {Reference}", notification.Reference);
        }
    }

    private sealed class Order(Guid intentId, decimal amount, PaymentMethod method, DateTimeOffset expiresAt)
    {
        public Guid IntentId { get; } = intentId;

        public decimal Amount { get; } = amount;

        public PaymentMethod Method { get; } = method;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public WalletPaymentStatus Status { get; set; } = WalletPaymentStatus.Pending;

        public DateTimeOffset? PaidAt { get; set; }

        public string? Reason { get; set; }

        public bool Closed { get; set; }

        public decimal Refunded { get; set; }
    }
}
