using Platform.Customer.Engagement.Grpc;
using Platform.Customer.Grpc;
using Platform.BuildingBlocks.Data;
using Platform.ServiceDefaults;

namespace Platform.Customer;

public sealed class Program
{
    public static Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGrpcService<CustomersApi>();
        app.MapGrpcService<ContactsApi>();
        app.MapGrpcService<ConsentsApi>();
        app.MapGrpcService<BulkApi>();
        app.MapGrpcService<GradingApi>();
        app.MapGrpcService<FollowUpsApi>();
        app.MapGrpcService<PipelineApi>();
        app.MapGrpcService<LoyaltyApi>();
        app.MapGrpcService<InsightApi>();
        return app.RunServiceAsync(args);
    }
}
