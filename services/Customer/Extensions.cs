using Platform.BuildingBlocks;
using Platform.Customer.Application;
using Platform.Customer.Data;

namespace Platform.Customer;

public static class Extensions
{
    public const string ServiceName = "customer";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<CustomerDb>(ServiceName);
        builder.Services.AddScoped<CustomerRegistry>();
        return builder;
    }
}
