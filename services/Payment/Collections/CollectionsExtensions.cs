using Platform.Contracts.Billing.V1;
using Platform.Payment.Collections.Application;
using Platform.Payment.Collections.Jobs;
using Platform.ServiceDefaults.Clients;

namespace Platform.Payment.Collections;

public static class CollectionsExtensions
{
    /// <summary>Receivables, collections cases, the collections job and billing's Entitlements client (Payment:Collections).</summary>
    public static IHostApplicationBuilder AddCollections(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CollectionsOptions>().BindConfiguration(CollectionsOptions.Section)
            .Validate(o => o.JobInterval > TimeSpan.Zero && o.BatchSize > 0 && o.MaxRetryDelay >= o.JobInterval,
                "Payment:Collections:JobInterval and BatchSize must be positive, MaxRetryDelay at least JobInterval")
            .Validate(o => Validates(o), "Payment:Collections:Ladder must name known stages with offsets that do not decrease along the ladder")
            .ValidateOnStart();
        builder.Services.AddPlatformGrpcClient<Entitlements.EntitlementsClient>("billing");
        builder.Services.AddScoped<CollectionsDesk>();
        builder.Services.AddScoped<ReceivablesBook>();
        builder.Services.AddScoped<ReceivablesQueries>();
        builder.Services.AddScoped<BillingActions>();
        builder.Services.AddSingleton<CollectionsJob>();
        if (builder.Configuration.GetValue($"{CollectionsOptions.Section}:JobEnabled", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<CollectionsJob>());
        }
        return builder;
    }

    private static bool Validates(CollectionsOptions options)
    {
        try
        {
            _ = options.ToLadder();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
