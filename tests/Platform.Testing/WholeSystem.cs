using Grpc.Core;
using Grpc.Net.Client;
using Platform.AppHost;
using Platform.Dashboard;
using Platform.Hosting.Processes;
using Platform.Hosting;
using Platform.ServiceDefaults.Auth;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// The whole platform as the AppHost runs it — the same <see cref="PlatformModel"/> and orchestration code, every
/// service a real process with its own servers under a temp state directory — for scenario tests, as
/// Aspire.Hosting.Testing would run an AppHost. The services run in Development, as <c>./run.sh</c> starts them;
/// <see cref="ProductionSystem"/> runs them with the settings of a deployment.
/// </summary>
public class WholeSystem : IAsyncLifetime
{
    private readonly Dictionary<string, GrpcChannel> channels = [];

    public string StateDirectory { get; } = Path.Combine(Path.GetTempPath(), "platform-tests", $"system-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);

    public DistributedApp App { get; private set; } = null!;

    /// <summary>The AppHost's dashboard, receiving every service's OTLP export: traces, logs and metrics to assert on.</summary>
    public DashboardHost Dashboard { get; private set; } = null!;

    /// <summary>The services' ASPNETCORE_ENVIRONMENT.</summary>
    public virtual string EnvironmentName => "Development";

    public async Task InitializeAsync()
    {
        Dashboard = await DashboardHost.StartAsync(new DashboardOptions { OtlpPort = PortAllocator.GetFreePort(), DashboardPort = PortAllocator.GetFreePort() });
        var options = new DistributedAppOptions
        {
            StateDirectory = StateDirectory,
            EnvironmentName = EnvironmentName,
            StreamLogs = false,
            ShowResourceTable = false,
            ProjectEnvironment = { ["OTEL_BSP_SCHEDULE_DELAY"] = "500" },
        };
        options.ExportTo(Dashboard);
        App = PlatformModel.Declare(options).Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await App.StartAsync(timeout.Token);
    }

    public GrpcChannel Channel(string service)
    {
        lock (channels)
        {
            if (!channels.TryGetValue(service, out var channel))
            {
                channel = GrpcChannel.ForAddress(App.GetEndpoint(service, "grpc"));
                channels[service] = channel;
            }

            return channel;
        }
    }

    /// <summary>Call options with a token signed by the key the AppHost generated for this run.</summary>
    public CallOptions As(params string[] roles) => AsUser("scenario", roles);

    /// <summary>Call options for a named person (maker-checker steps need two).</summary>
    public CallOptions AsUser(string subject, params string[] roles)
    {
        var auth = new AuthOptions { Issuer = LocalSecrets.Issuer, Audience = LocalSecrets.Audience, SigningKey = App.SigningKey };
        var token = TokenIssuer.Issue(auth, subject, roles, TimeSpan.FromHours(1));
        return new CallOptions(new Metadata { { "Authorization", "Bearer " + token } }, DateTime.UtcNow.AddSeconds(30));
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in channels.Values)
        {
            channel.Dispose();
        }

        await App.DisposeAsync();
        await Dashboard.DisposeAsync();
        KeepLogs();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a process still closing a file; the temp folder is cleared by the OS
        }
    }

    /// <summary>
    /// Copies the processes' logs to the folder named by <c>PLATFORM_TEST_LOGS</c> (set by test.sh), before the state
    /// directory goes: when a test fails in CI, test.sh prints the errors the services logged.
    /// </summary>
    private void KeepLogs()
    {
        var logs = Path.Combine(StateDirectory, "logs");
        if (Environment.GetEnvironmentVariable("PLATFORM_TEST_LOGS") is not { Length: > 0 } keep || !Directory.Exists(logs))
        {
            return;
        }

        var into = Directory.CreateDirectory(Path.Combine(keep, Path.GetFileName(StateDirectory))).FullName;
        foreach (var file in Directory.EnumerateFiles(logs))
        {
            File.Copy(file, Path.Combine(into, Path.GetFileName(file)), overwrite: true);
        }
    }
}

/// <summary>
/// The whole platform with the services in Production, as a deployment runs them: no development defaults (migrations
/// at start, fixed local PII keys, the payment simulators), so the AppHost supplies what the cluster would.
/// </summary>
public sealed class ProductionSystem : WholeSystem
{
    public override string EnvironmentName => "Production";
}
