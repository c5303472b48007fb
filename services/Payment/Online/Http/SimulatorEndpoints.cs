using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Payment.Online.Application;
using Platform.Payment.Online.Providers;
using Platform.Payment.Online.Providers.Simulator;

namespace Platform.Payment.Online.Http;

/// <summary>
/// The simulator's HTTP endpoints on the service's HTTP/1.1 port: its notification to the service (anonymous, signed)
/// and the payer's actions (pay, fail) that local use and tests drive.
/// </summary>
public static class SimulatorEndpoints
{
    private const int MaxBody = 64 * 1024;

    public static IEndpointRouteBuilder MapSimulatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(SimulatorWallet.NotifyPath, NotifyAsync).AllowAnonymous().DisableAntiforgery();
        app.MapPost("/providers/simulator/orders/{reference}/pay", (string reference, bool? notify, SimulatorWallet wallet) =>
            wallet.Settle(reference, paid: true, notify ?? true) ? Results.Ok(new { reference, status = "paid" }) : Results.Conflict(new { reference }))
            .AllowAnonymous();
        app.MapPost("/providers/simulator/orders/{reference}/fail", (string reference, bool? notify, string? reason, SimulatorWallet wallet) =>
            wallet.Settle(reference, paid: false, notify ?? true, reason) ? Results.Ok(new { reference, status = "failed" }) : Results.Conflict(new { reference }))
            .AllowAnonymous();
        return app;
    }

    private static async Task<IResult> NotifyAsync(HttpContext http, IntentSettlement settlement, NotificationGuard guard, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBody)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        if (!guard.Accept(SimulatorProvider.ProviderName, http, body))
        {
            return Results.Unauthorized();
        }

        SimulatorNotification? notification;
        try
        {
            notification = JsonSerializer.Deserialize<SimulatorNotification>(body, SimulatorNotification.Json);
        }
        catch (JsonException)
        {
            notification = null;
        }

        if (notification is null || string.IsNullOrEmpty(notification.Reference)
            || notification.Status is not (SimulatorNotification.Paid or SimulatorNotification.Failed))
        {
            return Results.BadRequest(new { error = "not a simulator notification" });
        }

        var report = notification.Status == SimulatorNotification.Paid
            ? new WalletPaymentReport(WalletPaymentStatus.Paid, notification.PaidAt, notification.Amount)
            : new WalletPaymentReport(WalletPaymentStatus.Failed, Reason: notification.Reason);
        return await settlement.ApplyAsync(SimulatorProvider.ProviderName, notification.Reference, report, ct) switch
        {
            SettlementOutcome.UnknownIntent => Results.NotFound(new { notification.Reference }),
            SettlementOutcome.InvalidAmount => Results.UnprocessableEntity(new { error = "the paid amount is not a positive amount of at most 4 decimals" }),
            // Applied or a repeat: the provider stops resending either way.
            _ => Results.Ok(new { result = "success" }),
        };
    }
}

/// <summary>
/// Verifies provider notification signatures; a refusal is a security event: a structured warning with
/// <see cref="OnlineEvents.NotificationRejected"/> and the <c>payment.online.notifications_rejected</c> counter.
/// </summary>
public sealed class NotificationGuard(IOptions<OnlineOptions> options, TimeProvider clock, IMeterFactory meters, ILogger<NotificationGuard> log)
{
    private readonly Counter<long> rejected = meters.Create(OnlineExtensions.MeterName).CreateCounter<long>("payment.online.notifications_rejected",
        description: "Provider notifications refused for a missing, wrong or stale signature");

    public bool Accept(string provider, HttpContext http, byte[] body)
    {
        var settings = options.Value.Simulator;
        var check = SimulatorSignature.Verify(settings.Secret, http.Request.Headers[SimulatorSignature.TimestampHeader],
            http.Request.Headers[SimulatorSignature.SignatureHeader], body, clock.GetUtcNow(), settings.SignatureTolerance);
        if (check == SignatureCheck.Valid)
        {
            return true;
        }

        rejected.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("reason", check.ToString().ToLowerInvariant()));
        log.LogWarning(OnlineEvents.NotificationRejected,
            "Security: refused a {Provider} notification with a {Check} signature from {RemoteAddress} ({Length} bytes)",
            provider, check, http.Connection.RemoteIpAddress, body.Length);
        return false;
    }
}
