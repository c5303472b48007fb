using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Platform.ServiceDefaults.Auth;

/// <summary>The bearer token this service presents when it calls another one: configured, or minted locally and renewed before expiry.</summary>
public sealed class ServiceIdentity(IOptions<AuthOptions> options, IHostEnvironment environment, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly Lock gate = new();
    private string? token;
    private DateTimeOffset renewAt;

    public string Token()
    {
        if (!string.IsNullOrEmpty(options.Value.ServiceToken))
        {
            return options.Value.ServiceToken;
        }

        lock (gate)
        {
            if (token is null || clock.GetUtcNow() >= renewAt)
            {
                token = TokenIssuer.Issue(options.Value, "service:" + environment.ApplicationName, [Roles.Service], Lifetime, clock);
                renewAt = clock.GetUtcNow() + Lifetime / 2;
            }

            return token;
        }
    }
}
