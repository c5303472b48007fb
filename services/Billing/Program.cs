using Platform.Billing.Commerce.Consumption.Grpc;
using Platform.Billing.Commerce.Grpc;
using Platform.Billing.Grpc;
using Platform.BuildingBlocks.Data;
using Platform.ServiceDefaults;

namespace Platform.Billing;

public sealed class Program
{
    public static Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGrpcService<PrepaidAccountsApi>();
        app.MapGrpcService<LedgerApi>();
        app.MapGrpcService<HoldsApi>();
        app.MapGrpcService<RefundsApi>();
        app.MapGrpcService<AdjustmentsApi>();
        app.MapGrpcService<StatementsApi>();
        app.MapGrpcService<ReportsApi>();
        app.MapGrpcService<CatalogApi>();
        app.MapGrpcService<QuotesApi>();
        app.MapGrpcService<ContractsApi>();
        app.MapGrpcService<EntitlementsApi>();
        app.MapGrpcService<InvoicesApi>();
        app.MapGrpcService<ConsumptionApi>();
        return app.RunServiceAsync(args);
    }
}
