using MassTransit;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.Customer.Engagement.Application;
using Platform.Customer.Engagement.Domain;
using Platform.Customer.Engagement.Messaging;

namespace Platform.Customer.Engagement;

/// <summary>Wiring of the customer engagement: lifecycle, grading, follow-ups, pipeline, loyalty, insight.</summary>
public static class EngagementExtensions
{
    /// <summary>The engagement's consumers; pass to AddPlatformBackbone.</summary>
    public static IBusRegistrationConfigurator AddEngagementConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<EngagementContractSignedConsumer>();
        bus.AddInboxBatchConsumer<EngagementPaymentReceivedConsumer, PaymentReceived>(InboxBatching.BackgroundWindow);
        bus.AddConsumer<EngagementPaymentReversedConsumer>();
        bus.AddConsumer<EngagementRefundPaidConsumer>();
        bus.AddInboxBatchConsumer<EngagementBalanceChangedConsumer, PrepaidBalanceChanged>(InboxBatching.BackgroundWindow);
        bus.AddConsumer<EngagementPrepaidExpiredConsumer>();
        bus.AddConsumer<EngagementSurveyAnsweredConsumer>();
        return bus;
    }

    /// <summary>The engagement's options, use cases and scheduled scan.</summary>
    public static IHostApplicationBuilder AddEngagement(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TierThresholds>().BindConfiguration(TierThresholds.Section);
        builder.Services.AddOptions<LoyaltyRules>().BindConfiguration(LoyaltyRules.Section);
        builder.Services.AddOptions<LifecycleOptions>().BindConfiguration(LifecycleOptions.Section);
        builder.Services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.Section)
            .Validate(o => o.TierBatchSize > 0, "Engagement:Scheduler:TierBatchSize must be at least 1").ValidateOnStart();
        builder.Services.AddScoped<ActivityLocks>();
        builder.Services.AddScoped<LifecycleTracker>();
        builder.Services.AddScoped<ValueTierGrader>();
        builder.Services.AddScoped<LoyaltyBook>();
        builder.Services.AddScoped<FollowUpPlanner>();
        builder.Services.AddScoped<IntentGrading>();
        builder.Services.AddScoped<PipelineBook>();
        builder.Services.AddScoped<EngagementErasure>();
        builder.Services.AddScoped<InsightReports>();
        builder.Services.AddScoped<EngagementScan>();
        builder.Services.AddHostedService<EngagementScheduler>();
        return builder;
    }
}
