using System.Diagnostics;

namespace Platform.BuildingBlocks.Caching;

/// <summary>
/// A client span per Redis command, so a trace shows where a call waited on the cache and when the cache failed. No
/// OpenTelemetry instrumentation for StackExchange.Redis is obtainable here; the span follows the database client
/// conventions (<c>db.system.name</c>, <c>db.operation.name</c>). The service's tracer takes the source by its
/// <c>Platform.</c> prefix; with no listener, no span is made.
/// </summary>
public static class RedisCalls
{
    public const string SourceName = "Platform.Redis";

    private static readonly ActivitySource Source = new(SourceName);

    /// <param name="operation">The Redis command, as Redis names it (GET, SET, DEL, EVAL, PUBLISH, HMGET).</param>
    public static async Task<T> TracedAsync<T>(string operation, Func<Task<T>> call)
    {
        using var activity = Source.StartActivity(operation, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", operation);
        }

        try
        {
            return await call();
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            activity.SetTag("error.type", e.GetType().FullName);
            throw;
        }
    }
}
