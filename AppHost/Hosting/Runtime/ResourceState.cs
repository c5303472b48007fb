namespace Platform.Hosting;

/// <summary>A snapshot of one resource, as in the table and resources.json.</summary>
public sealed record ResourceState(
    string Name,
    string Type,
    string State,
    int? Pid,
    int Restarts,
    IReadOnlyDictionary<string, string> Endpoints,
    string? ConnectionString,
    string? Parent);

/// <summary>The states a resource goes through.</summary>
public static class ResourceStates
{
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Restarting = "restarting";
    public const string Stopped = "stopped";
    public const string Failed = "failed";
}
