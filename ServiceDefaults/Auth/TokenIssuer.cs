using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.ServiceDefaults.Auth;

/// <summary>Issues HMAC-signed JWTs with the local signing key: for the token command, tests and service identity.</summary>
public static class TokenIssuer
{
    public const string RoleClaim = "role";

    public static string NewSigningKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static SymmetricSecurityKey Key(string base64) => new(Convert.FromBase64String(base64)) { KeyId = "local" };

    public static string Issue(AuthOptions options, string subject, IEnumerable<string> roles, TimeSpan lifetime, TimeProvider? clock = null)
    {
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            throw new InvalidOperationException("Auth:SigningKey is not configured; tokens come from the identity provider.");
        }

        var now = (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim(RoleClaim, r)));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now.AddMinutes(-1),
            IssuedAt = now,
            Expires = now.Add(lifetime),
            SigningCredentials = new SigningCredentials(Key(options.SigningKey), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
