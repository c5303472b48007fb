namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// Section "Auth". In Kubernetes, <see cref="Authority"/> names the organisation's identity provider;
/// locally, the AppHost generates <see cref="SigningKey"/> (base64, HMAC-SHA256) and issues tokens with it.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string Issuer { get; set; } = "platform-local";

    public string Audience { get; set; } = "platform";

    /// <summary>OpenID Connect authority; when set, keys come from its discovery document.</summary>
    public string? Authority { get; set; }

    /// <summary>Base64 symmetric key for locally issued tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A bearer token this service presents to the others; minted from <see cref="SigningKey"/> when absent.</summary>
    public string? ServiceToken { get; set; }
}
