using Platform.Payment.Exceptions.Application;
using Platform.Payment.Recording.Application;
using Platform.Payment.Recording.Grpc;
using Platform.Payment.VirtualAccounts.Application;

namespace Platform.Payment.Recording;

public static class RecordingExtensions
{
    /// <summary>Recording payments (every method, cheque clearing), the customers' virtual accounts and the exception queue.</summary>
    public static IHostApplicationBuilder AddRecording(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecordingOptions>().BindConfiguration(RecordingOptions.Section);
        builder.Services.AddOptions<VirtualAccountsOptions>().BindConfiguration(VirtualAccountsOptions.Section)
            .Validate(o => o.Prefix.Length is >= 1 and <= 20 && o.Prefix.All(char.IsAsciiDigit), "Payment:VirtualAccounts:Prefix must be 1-20 digits")
            .ValidateOnStart();
        builder.Services.AddSingleton<PaymentMapping>();
        builder.Services.AddScoped<PaymentDesk>();
        builder.Services.AddScoped<VirtualAccountBook>();
        builder.Services.AddScoped<IncomingTransfers>();
        builder.Services.AddScoped<ExceptionDesk>();
        return builder;
    }
}
