using Platform.Notification.Data;
using Platform.BuildingBlocks;

namespace Platform.Notification;

/// <summary>
/// The notification service host: database (migrated), bus with outbox relay, cache, health and telemetry.
/// Its business capabilities and gRPC API are not built yet (README, "Not built yet").
/// </summary>
public static class Extensions
{
    public const string ServiceName = "notification";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<NotificationDb>(ServiceName);
        return builder;
    }
}
