using Platform.Billing.Application;
using Platform.Billing.Commerce;
using Platform.Billing.Data;
using Platform.Billing.Messaging;
using Platform.BuildingBlocks;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Clients;

namespace Platform.Billing;

public static class Extensions
{
    public const string ServiceName = "billing";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformBackbone<BillingDb>(ServiceName, bus => bus.AddConsumer<CustomerRegisteredConsumer>());
        builder.Services.AddOptions<BillingOptions>().BindConfiguration(BillingOptions.Section);
        builder.Services.AddPlatformGrpcClient<Customers.CustomersClient>("customer");
        builder.Services.AddScoped<PrepaidAccountBook>();
        builder.AddCommerce();
        return builder;
    }
}
