using Grpc.Core;

namespace Platform.ServiceDefaults.Auth;

public static class CallerIdentity
{
    /// <summary>The person or service calling: the token's subject (the name claim is "sub"); recorded on every decision.</summary>
    public static string CallerId(this ServerCallContext context) => context.GetHttpContext().User.Identity?.Name ?? "unknown";
}
