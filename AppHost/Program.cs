using System.Globalization;
using Platform.AppHost;
using Platform.Dashboard;
using Platform.Hosting;
using Platform.ServiceDefaults.Auth;

CommandLine command;
try
{
    command = CommandLine.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message + "\n\n" + CommandLine.Usage);
    return 2;
}

if (command.Has("--help") || command.Has("-h"))
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

var stateDirectory = command["--state-dir"] ?? RepositoryLayout.DefaultStateDirectory();
if (command.Command == "token")
{
    return Token(command, stateDirectory);
}

var options = new DistributedAppOptions
{
    StateDirectory = stateDirectory,
    Projects = command.Has("--only") ? CommandLine.List(command["--only"]) : null,
    StreamLogs = !command.Has("--no-logs"),
    OtlpEndpoint = command["--otlp-endpoint"],
    EnvironmentName = command["--environment"] ?? "Development",
};

int? dashboardPort, otlpPort;
try
{
    dashboardPort = Port(command["--dashboard-port"], "--dashboard-port");
    otlpPort = Port(command["--otlp-port"], "--otlp-port");
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

// The local telemetry dashboard (as Aspire's): started unless a collector is given or --no-dashboard; disposed after the app,
// so the projects' last telemetry still arrives while they stop.
DashboardHost? dashboard = null;
try
{
    if (options.OtlpEndpoint is null && !command.Has("--no-dashboard"))
    {
        dashboard = await DashboardHost.StartAsync(new DashboardOptions { DashboardPort = dashboardPort ?? 18888, OtlpPort = otlpPort ?? 4317 });
    }
}
catch (IOException e)
{
    await Console.Error.WriteLineAsync($"apphost: the dashboard did not start ({e.Message}); try other ports or --no-dashboard.");
    return 1;
}

await using var dashboardLifetime = dashboard;
if (dashboard is not null)
{
    options.ExportTo(dashboard);
    Console.WriteLine($"dashboard: {dashboard.DashboardUrl} (OTLP/gRPC receiver {dashboard.OtlpEndpoint})");
}

try
{
    await using var app = PlatformModel.Declare(options).Build();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException or IOException)
{
    await Console.Error.WriteLineAsync("apphost: " + e.Message);
    return 1;
}

static int? Port(string? value, string option) =>
    value is null ? null
    : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port
    : throw new ArgumentException($"{option} must be a port number (1-65535).");

static int Token(CommandLine command, string stateDirectory)
{
    var roles = CommandLine.List(command["--roles"]);
    if (roles.Count == 0)
    {
        Console.Error.WriteLine($"token: --roles is required (one or more of {string.Join(", ", Roles.All)}).");
        return 2;
    }

    foreach (var unknown in roles.Except(Roles.All))
    {
        Console.Error.WriteLine($"token: warning: '{unknown}' is not a platform role ({string.Join(", ", Roles.All)}).");
    }

    if (!double.TryParse(command["--hours"] ?? "8", NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) || hours <= 0)
    {
        Console.Error.WriteLine("token: --hours must be a positive number.");
        return 2;
    }

    var auth = new AuthOptions
    {
        Issuer = LocalSecrets.Issuer,
        Audience = LocalSecrets.Audience,
        SigningKey = LocalSecrets.GetOrCreateSigningKey(stateDirectory),
    };
    Console.WriteLine(TokenIssuer.Issue(auth, command["--subject"] ?? "developer", roles, TimeSpan.FromHours(hours)));
    return 0;
}
