using Platform.BuildingBlocks.Data;
using Platform.Payment.Exceptions.Grpc;
using Platform.Payment.Recording.Grpc;
using Platform.Payment.VirtualAccounts.Grpc;
using Platform.Payment.Collections.Grpc;
using Platform.Payment.Credit.Grpc;
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
        app.MapGrpcService<PaymentsApi>();
        app.MapGrpcService<VirtualAccountsApi>();
        app.MapGrpcService<PaymentExceptionsApi>();
        app.MapGrpcService<CollectionsApi>();
        app.MapGrpcService<CreditApi>();
        app.MapGrpcService<PaymentIntentsApi>();
        app.MapGrpcService<ReconciliationApi>();
        app.MapOnlineEndpoints();
        return app.RunServiceAsync(args);
    }
}
