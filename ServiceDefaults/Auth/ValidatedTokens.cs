using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Net.Http.Headers;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// Remembers the principal of each bearer token this replica has validated, so that a caller sending the same token
/// on every call (as services and clients do) costs one signature check and one claims parse per token instead of per
/// call. The key is the whole token, signature included, so only a token that passed validation is ever answered from
/// here. An entry lives until the token expires, and at most <see cref="MaxAge"/> (so a signing key withdrawn from the
/// authority stops being honoured within that time); the table is emptied when it holds <see cref="Capacity"/> tokens.
/// </summary>
public sealed class ValidatedTokens(TimeProvider clock)
{
    public const int Capacity = 10_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Principal, DateTimeOffset Until)> tokens = new(StringComparer.Ordinal);

    /// <summary>Wires the table into the JWT bearer events: answer a known token at once, remember a validated one.</summary>
    public void Attach(JwtBearerEvents events)
    {
        events.OnMessageReceived = context =>
        {
            if (BearerOf(context.Request.Headers[HeaderNames.Authorization]) is { } token && Find(token) is { } principal)
            {
                context.Principal = principal;
                context.Success();
            }

            return Task.CompletedTask;
        };
        events.OnTokenValidated = context =>
        {
            if (BearerOf(context.Request.Headers[HeaderNames.Authorization]) is { } token && context.Principal is { } principal)
            {
                Remember(token, principal, context.SecurityToken.ValidTo);
            }

            return Task.CompletedTask;
        };
    }

    public ClaimsPrincipal? Find(string token)
    {
        if (!tokens.TryGetValue(token, out var entry))
        {
            return null;
        }

        if (entry.Until > clock.GetUtcNow())
        {
            return entry.Principal;
        }

        tokens.TryRemove(token, out _);
        return null;
    }

    public void Remember(string token, ClaimsPrincipal principal, DateTime validTo)
    {
        var now = clock.GetUtcNow();
        var expires = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        var until = expires < now + MaxAge ? expires : now + MaxAge;
        if (until <= now)
        {
            return;
        }

        if (tokens.Count >= Capacity)
        {
            tokens.Clear();
        }

        tokens[token] = (principal, until);
    }

    private static string? BearerOf(string? header) =>
        header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
}
