using Grpc.Core;
using Platform.ServiceDefaults.Auth;

namespace Platform.Testing;

/// <summary>Bearer tokens signed with the test run's key, as the AppHost's token command issues them.</summary>
public static class Tokens
{
    public static readonly string SigningKey = TokenIssuer.NewSigningKey();

    public static AuthOptions Options => new() { Issuer = "platform-local", Audience = "platform", SigningKey = SigningKey };

    public static string For(params string[] roles) => TokenIssuer.Issue(Options, "test-user", roles, TimeSpan.FromHours(1));

    public static Metadata Bearer(params string[] roles) => new() { { "Authorization", "Bearer " + For(roles) } };

    public static CallOptions As(params string[] roles) => new(headers: Bearer(roles), deadline: DateTime.UtcNow.AddSeconds(30));

    /// <summary>Call options for a named person (maker-checker tests need two different people).</summary>
    public static CallOptions AsUser(string subject, params string[] roles) =>
        new(headers: new Metadata { { "Authorization", "Bearer " + TokenIssuer.Issue(Options, subject, roles, TimeSpan.FromHours(1)) } },
            deadline: DateTime.UtcNow.AddSeconds(30));
}
