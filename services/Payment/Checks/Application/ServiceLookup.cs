using Grpc.Core;

namespace Platform.Payment.Checks.Application;

/// <summary>
/// Asks another service about a payer, invoice or contract a payment names, waiting at most the lookup timeout (gRPC
/// deadlines run on the wall clock). NOT_FOUND is an answer; any other failure is none: it is logged and the check goes
/// on without it, so an outage never turns money away.
/// </summary>
internal static class ServiceLookup
{
    public static async Task<(T? Answer, bool NotFound)> AskAsync<T>(Func<DateTime, AsyncUnaryCall<T>> call, TimeSpan timeout, ILogger log,
        string subject, Guid subjectId, CancellationToken ct) where T : class
    {
        try
        {
            return (await call(DateTime.UtcNow.Add(timeout)), false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return (null, true);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning("No answer about {Subject} {SubjectId} ({Status}); going on without it", subject, subjectId, e.StatusCode);
            return (null, false);
        }
    }
}
