using Platform.Payment.Online.Application;
using Platform.Payment.Online.Http;
using Platform.Payment.Online.Jobs;
using Platform.Payment.Online.Providers;
using Platform.Payment.Online.Providers.Simulator;

namespace Platform.Payment.Online;

/// <summary>Online payments: intents, providers (the simulator when enabled), notifications and the re-check.</summary>
public static class OnlineExtensions
{
    public const string MeterName = "Platform.Payment.Online";

    public static IHostApplicationBuilder AddOnline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OnlineOptions>().BindConfiguration(OnlineOptions.Section)
            .Validate(o => !o.Simulator.Enabled || o.Simulator.Secret.Length >= 16, "Payment:Online:Simulator:Secret must have at least 16 characters")
            .Validate(o => o.ExpireAfter > TimeSpan.Zero && o.RecheckAfter >= TimeSpan.Zero && o.RecheckInterval > TimeSpan.Zero && o.RecheckBatch > 0,
                "Payment:Online: ExpireAfter and RecheckInterval must be positive, RecheckBatch at least 1")
            .ValidateOnStart();
        builder.Services.AddScoped<IntentDesk>();
        builder.Services.AddScoped<IntentSettlement>();
        builder.Services.AddSingleton<OnlineProviders>();
        builder.Services.AddSingleton<NotificationGuard>();
        if (builder.Configuration.GetValue($"{OnlineOptions.Section}:Simulator:Enabled", false))
        {
            builder.Services.AddHttpClient(SimulatorWallet.HttpClientName);
            builder.Services.AddSingleton<SimulatorWallet>();
            builder.Services.AddSingleton<IOnlinePaymentProvider, SimulatorProvider>();
        }

        builder.Services.AddSingleton<IntentRecheckJob>().AddHostedService(sp => sp.GetRequiredService<IntentRecheckJob>());
        return builder;
    }

    /// <summary>The providers' HTTP endpoints (notifications; the simulator's payer actions when it is enabled).</summary>
    public static IEndpointRouteBuilder MapOnlineEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<SimulatorWallet>() is not null)
        {
            app.MapSimulatorEndpoints();
        }

        return app;
    }
}
