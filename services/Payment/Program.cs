using Platform.BuildingBlocks.Data;
using Platform.Payment.Online;
using Platform.Payment.Online.Grpc;
using Platform.Payment.Reconciliation.Grpc;
using Platform.ServiceDefaults;

namespace Platform.Payment;

public sealed class Program
{
    public static Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGrpcService<PaymentIntentsApi>();
        app.MapGrpcService<ReconciliationApi>();
        app.MapOnlineEndpoints();
        return app.RunServiceAsync(args);
    }
}
