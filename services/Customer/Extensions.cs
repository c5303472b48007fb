using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks;
using Platform.BuildingBlocks.Messaging;
using Platform.Customer.Application;
using Platform.Customer.Caching;
using Platform.Customer.Data;
using Platform.Customer.Grpc;
using Platform.Customer.Jobs;
using Platform.Customer.Engagement;

namespace Platform.Customer;

public static class Extensions
{
    public const string ServiceName = "customer";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<CustomerDb>(ServiceName, bus => bus.AddEngagementConsumers());
        builder.AddCustomerProfiles();
        builder.AddEngagement();
        return builder;
    }

    /// <summary>Profiles, contacts, consents, bulk import/export, the read-through cache and the PII re-encryption job.</summary>
    public static IHostApplicationBuilder AddCustomerProfiles(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CustomerCacheOptions>().BindConfiguration(CustomerCacheOptions.Section);
        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section);
        services.AddOptions<PiiRekeyingOptions>().BindConfiguration(PiiRekeyingOptions.Section);
        services.AddSingleton<CustomerCache>();
        services.AddHostedService(sp => sp.GetRequiredService<CustomerCache>());
        services.AddSingleton<CustomerCacheInvalidator>();
        // Every CustomerDb, whoever uses it, drops cached customers it changes.
        services.ConfigureDbContext<CustomerDb>((sp, options) => options.AddInterceptors(sp.GetRequiredService<CustomerCacheInvalidator>()));
        services.AddSingleton<CustomerMapping>();
        services.AddScoped<CustomerRegistry>();
        services.AddScoped<CustomerQueries>();
        services.AddScoped<ContactBook>();
        services.AddScoped<ConsentBook>();
        services.AddScoped<CustomerImporter>();
        services.AddSingleton<IRetainedRecords<CustomerDb>, ImportRetention>();
        services.AddScoped<PiiRekeying>();
        services.AddHostedService<PiiRekeyingJob>();
        return builder;
    }
}
