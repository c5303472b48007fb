using System.Diagnostics;
using System.Text.Json;
using Platform.Billing.Data;
using Platform.Billing.Domain.Controls;

namespace Platform.Billing.Application;

/// <summary>Adds an audit entry to the unit of work; it is saved (or rolled back) with the change it records.</summary>
public sealed class AuditTrail(BillingDb db, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Record(string actor, string action, string subject, Guid? customerId, object details) =>
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            Subject = subject,
            CustomerId = customerId,
            Details = JsonSerializer.Serialize(details, Json),
            TraceId = Activity.Current?.TraceId.ToHexString(),
        });
}
