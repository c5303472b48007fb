using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Platform.ServiceDefaults.Auth;

namespace Platform.ServiceDefaults.Clients;

public static class GrpcClientExtensions
{
    /// <summary>
    /// A gRPC client for another platform service, resolved by service discovery from its "grpc" endpoint
    /// (configuration <c>services:{service}:grpc:0</c>), carrying this service's identity, with a default
    /// deadline and the incoming call's deadline and cancellation propagated.
    /// </summary>
    public static IHttpClientBuilder AddPlatformGrpcClient<TClient>(this IServiceCollection services, string service, TimeSpan? deadline = null)
        where TClient : class
    {
        var timeout = deadline ?? TimeSpan.FromSeconds(10);
        return services
            .AddGrpcClient<TClient>(o =>
            {
                o.Address = new Uri($"http://_grpc.{service}");
                o.CallOptionsActions.Add(ctx =>
                {
                    if (ctx.CallOptions.Deadline is null)
                    {
                        ctx.CallOptions = ctx.CallOptions.WithDeadline(DateTime.UtcNow.Add(timeout));
                    }
                });
            })
            .ConfigureChannel(c => c.UnsafeUseInsecureChannelCallCredentials = true)
            .AddCallCredentials((_, metadata, sp) =>
            {
                metadata.Add("Authorization", "Bearer " + sp.GetRequiredService<ServiceIdentity>().Token());
                return Task.CompletedTask;
            })
            .EnableCallContextPropagation(o => o.SuppressContextNotFoundErrors = true);
    }
}
