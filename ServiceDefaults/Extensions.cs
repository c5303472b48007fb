using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.ServiceDefaults;

public static class Extensions
{
    /// <summary>Health checks tagged with this answer <c>/alive</c>; every check answers <c>/health</c>.</summary>
    public const string LiveTag = "live";

    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>Telemetry, health, discovery, resilience, authentication and gRPC defaults.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddDefaultEndpoints();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        builder.AddPlatformAuthentication();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services
            .AddGrpc(options =>
            {
                options.Interceptors.Add<ErrorInterceptor>();
                options.EnableDetailedErrors = false;
            })
            .AddJsonTranscoding(o => o.TypeRegistry = TypeRegistry.FromMessages(
                Google.Rpc.ErrorInfo.Descriptor, Google.Rpc.BadRequest.Descriptor, Google.Rpc.PreconditionFailure.Descriptor));
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks();

        // Give in-flight calls and the outbox relay time to finish on SIGTERM (Kubernetes sends it before SIGKILL).
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(
            builder.Configuration.GetValue("ShutdownTimeoutSeconds", 20)));
        return builder;
    }

    /// <summary>
    /// Two Kestrel endpoints: "grpc" (cleartext HTTP/2) and "http" (HTTP/1.1 for health and JSON transcoding).
    /// Configuration (Kestrel:Endpoints:grpc:Url, Kestrel:Endpoints:http:Url) overrides the container defaults 8080/8081.
    /// </summary>
    private static void AddDefaultEndpoints(this IHostApplicationBuilder builder)
    {
        var defaults = new Dictionary<string, string?>();
        if (builder.Configuration["Kestrel:Endpoints:grpc:Url"] is null)
        {
            defaults["Kestrel:Endpoints:grpc:Url"] = "http://+:8080";
        }

        if (builder.Configuration["Kestrel:Endpoints:http:Url"] is null)
        {
            defaults["Kestrel:Endpoints:http:Url"] = "http://+:8081";
        }

        defaults["Kestrel:Endpoints:grpc:Protocols"] = "Http2";
        defaults["Kestrel:Endpoints:http:Protocols"] = "Http1";
        builder.Configuration.AddInMemoryCollection(defaults);
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>Health endpoints (every environment), grpc.health.v1, reflection and authentication middleware.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) }).AllowAnonymous();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        return app;
    }
}
