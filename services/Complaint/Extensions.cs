using Platform.Complaint.Data;
using Platform.BuildingBlocks;

namespace Platform.Complaint;

/// <summary>
/// The complaint service host: database (migrated), bus with outbox relay, cache, health and telemetry.
/// Its business capabilities and gRPC API are not built yet (README, "Not built yet").
/// </summary>
public static class Extensions
{
    public const string ServiceName = "complaint";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<ComplaintDb>(ServiceName);
        return builder;
    }
}
