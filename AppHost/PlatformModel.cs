using Platform.Dashboard;
using Platform.Hosting;

namespace Platform.AppHost;

/// <summary>The platform's resources, as an Aspire AppHost declares them. Whole-system tests call <see cref="Declare"/> too.</summary>
public static class PlatformModel
{
    public static DistributedAppBuilder Declare(DistributedAppOptions options)
    {
        var builder = DistributedAppBuilder.Create(options);

        var postgres = builder.AddPostgres("postgres");
        var customerDb = postgres.AddDatabase("customerdb");
        var billingDb = postgres.AddDatabase("billingdb");
        var paymentDb = postgres.AddDatabase("paymentdb");
        var complaintDb = postgres.AddDatabase("complaintdb");
        var notificationDb = postgres.AddDatabase("notificationdb");
        var messaging = builder.AddRabbitMQ("messaging");
        var cache = builder.AddRedis("cache");

        var customer = builder.AddProject("customer", "services/Customer/Platform.Customer.csproj")
            .WithReference(customerDb).WaitFor(customerDb)
            .WithReference(messaging).WaitFor(messaging)
            .WithReference(cache).WaitFor(cache);

        var billing = builder.AddProject("billing", "services/Billing/Platform.Billing.csproj")
            .WithReference(billingDb).WaitFor(billingDb)
            .WithReference(messaging).WaitFor(messaging)
            .WithReference(cache).WaitFor(cache)
            .WithReference(customer);

        var payment = builder.AddProject("payment", "services/Payment/Platform.Payment.csproj")
            .WithReference(paymentDb).WaitFor(paymentDb)
            .WithReference(messaging).WaitFor(messaging)
            .WithReference(cache).WaitFor(cache)
            .WithReference(billing);

        // Billing asks payment's credit assessment before signing; payment calls billing's Entitlements: they know each other.
        billing.WithReference(payment);

        builder.AddProject("complaint", "services/Complaint/Platform.Complaint.csproj")
            .WithReference(complaintDb).WaitFor(complaintDb)
            .WithReference(messaging).WaitFor(messaging)
            .WithReference(cache).WaitFor(cache)
            .WithReference(customer)
            .WithReference(billing);

        builder.AddProject("notification", "services/Notification/Platform.Notification.csproj")
            .WithReference(notificationDb).WaitFor(notificationDb)
            .WithReference(messaging).WaitFor(messaging)
            .WithReference(cache).WaitFor(cache)
            .WithReference(customer);

        return builder;
    }

    /// <summary>Points every project's OTLP export at the dashboard, with metrics every 5 s unless the environment says otherwise.</summary>
    public static void ExportTo(this DistributedAppOptions options, DashboardHost dashboard)
    {
        options.OtlpEndpoint = dashboard.OtlpEndpoint;
        if (Environment.GetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL") is null)
        {
            options.ProjectEnvironment["OTEL_METRIC_EXPORT_INTERVAL"] = "5000";
        }
    }
}
