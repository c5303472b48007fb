using Platform.BuildingBlocks.Data;
using Platform.ServiceDefaults;

namespace Platform.Complaint;

public sealed class Program
{
    public static Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        return app.RunServiceAsync(args);
    }
}
