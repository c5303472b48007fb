using Platform.BuildingBlocks;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.Customer.Engagement;

namespace Platform.Customer;

public static class Extensions
{
    public const string ServiceName = "customer";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<CustomerDb>(ServiceName, bus => bus.AddEngagementConsumers());
        builder.AddEngagement();
        builder.Services.AddScoped<CustomerRegistry>();
        return builder;
    }
}
