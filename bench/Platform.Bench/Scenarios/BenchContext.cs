using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Bench.Cli;
using Platform.Bench.Target;
using Platform.Bench.Transport;
using Platform.ServiceDefaults.Auth;

namespace Platform.Bench.Scenarios;

/// <summary>
/// What a scenario gets at setup: the command line, the running platform (from resources.json), a bearer token,
/// one shared <see cref="GrpcChannel"/> per target, and the PostgreSQL connection string. Disposing it disposes the channels.
/// </summary>
public sealed class BenchContext(BenchOptions options, PlatformResources? resources, CancellationToken cancellation) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(Uri, bool), GrpcChannel> channels = new();
    private readonly Lock tokenGate = new();
    private string? token;

    public BenchOptions Options => options;

    /// <summary>The platform described by resources.json; null when neither --resources nor --start-platform was given.</summary>
    public PlatformResources? Resources => resources;

    /// <summary>Cancelled on Ctrl+C.</summary>
    public CancellationToken Cancellation => cancellation;

    /// <summary>The highest concurrency the scenario will be run at (size pools with it).</summary>
    public int MaxConcurrency => options.Concurrency.Max();

    /// <summary>--pg, else the postgres server resource of resources.json, else null.</summary>
    public string? PostgresConnectionString => options.Pg ?? resources?.Postgres?.ConnectionString;

    /// <summary>Call options with the per-operation deadline (<c>--timeout</c>) and the worker's token.</summary>
    public CallOptions CallOptions(CancellationToken ct) =>
        new(deadline: DateTime.UtcNow.Add(options.OperationTimeout), cancellationToken: ct);

    public PlatformResources RequireResources(string scenario) => resources
        ?? throw new BenchException($"Scenario '{scenario}' needs a running platform: pass --resources FILE (written by the AppHost) or --start-platform.");

    public string RequirePostgres(string scenario) => PostgresConnectionString
        ?? throw new BenchException($"Scenario '{scenario}' needs PostgreSQL: pass --pg \"Host=…;Port=…;Username=…;Password=…\", or --resources FILE / --start-platform to use the platform's server.");

    /// <summary>The address of <paramref name="resource"/>'s endpoint (default "grpc") in resources.json.</summary>
    public Uri Endpoint(string resource, string endpoint = "grpc")
    {
        var found = RequireResources(resource).Find(resource)
            ?? throw new BenchException($"resources.json has no resource named '{resource}' (is it excluded by --only?).");
        if (found.Endpoints?.TryGetValue(endpoint, out var url) != true || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new BenchException($"Resource '{resource}' has no '{endpoint}' endpoint in resources.json.");
        }

        if (found.State is { } state && state != "healthy")
        {
            Log.Info($"warning: resource '{resource}' is {state}, not healthy");
        }

        return uri;
    }

    /// <summary>The shared, authenticated channel to <paramref name="resource"/>'s gRPC endpoint.</summary>
    public GrpcChannel Channel(string resource, string endpoint = "grpc") => Channel(Endpoint(resource, endpoint), authenticated: true);

    /// <summary>The shared channel to <paramref name="address"/>; with <paramref name="authenticated"/>, every call carries <see cref="Token"/>.</summary>
    public GrpcChannel Channel(Uri address, bool authenticated)
    {
        var bearer = authenticated ? "Bearer " + Token : null;
        return channels.GetOrAdd((address, authenticated), key => ChannelFactory.Create(
            key.Item1,
            bearer is null ? null : CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", bearer);
                return Task.CompletedTask;
            })));
    }

    /// <summary>The bearer token: --token-file, else minted from the AppHost's signing key with every role (subject "bench").</summary>
    public string Token
    {
        get
        {
            lock (tokenGate)
            {
                return token ??= options.TokenFile is { } file ? ReadTokenFile(file) : MintToken(Roles.All);
            }
        }
    }

    /// <summary>A token for <paramref name="roles"/> signed with the AppHost's key (for scenarios probing authorization).</summary>
    public string MintToken(IEnumerable<string> roles, string subject = "bench")
    {
        var auth = RequireResources("token").Auth
            ?? throw new BenchException("resources.json has no 'auth' section to mint a token with; pass --token-file.");
        if (string.IsNullOrEmpty(auth.SigningKeyFile) || !File.Exists(auth.SigningKeyFile))
        {
            throw new BenchException($"The signing key file '{auth.SigningKeyFile}' named in resources.json does not exist; pass --token-file.");
        }

        var authOptions = new AuthOptions
        {
            Issuer = auth.Issuer ?? new AuthOptions().Issuer,
            Audience = auth.Audience ?? new AuthOptions().Audience,
            SigningKey = File.ReadAllText(auth.SigningKeyFile).Trim(),
        };
        return TokenIssuer.Issue(authOptions, subject, roles, TimeSpan.FromHours(1));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in channels.Values)
        {
            await channel.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            channel.Dispose();
        }

        channels.Clear();
    }

    private static string ReadTokenFile(string path) => File.Exists(path)
        ? File.ReadAllText(path).Trim()
        : throw new BenchException($"--token-file '{path}' does not exist.");
}
