using Platform.Contracts.Events;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>Resolves the stored type name of an outbox row to its integration event type.</summary>
internal static class EventTypes
{
    private static readonly Dictionary<string, Type> ByName = typeof(IIntegrationEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IIntegrationEvent).IsAssignableFrom(t))
        .ToDictionary(t => t.FullName!, t => t);

    public static Type Resolve(string name) =>
        ByName.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Unknown integration event type {name}");
}
