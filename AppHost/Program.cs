using System.Globalization;
using Platform.AppHost;
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
