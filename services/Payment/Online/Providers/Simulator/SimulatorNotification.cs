using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Payment.Online.Providers.Simulator;

/// <summary>What the simulator posts when a payer paid or the payment failed (the body it signs).</summary>
/// <param name="Status">paid or failed.</param>
public sealed record SimulatorNotification(string Reference, Guid OrderId, string Status, decimal Amount, DateTimeOffset? PaidAt, string? Reason)
{
    public const string Paid = "paid";
    public const string Failed = "failed";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
