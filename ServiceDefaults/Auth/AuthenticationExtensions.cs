using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Platform.ServiceDefaults.Auth;

public static class AuthenticationExtensions
{
    /// <summary>JWT bearer on every endpoint (health and reflection opt out); roles from the "role" claim.</summary>
    public static IHostApplicationBuilder AddPlatformAuthentication(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(AuthOptions.Section);
        builder.Services.Configure<AuthOptions>(section);
        var options = section.Get<AuthOptions>() ?? new AuthOptions();

        // Built here rather than resolved: the bearer options are configured before the container exists.
        var validated = new ValidatedTokens(TimeProvider.System);
        builder.Services.AddSingleton(validated);
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                validated.Attach(jwt.Events ??= new JwtBearerEvents());
                jwt.MapInboundClaims = false;
                jwt.RequireHttpsMetadata = false;
                jwt.Authority = options.Authority;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Issuer,
                    ValidAudience = options.Audience,
                    RoleClaimType = TokenIssuer.RoleClaim,
                    NameClaimType = "sub",
                    ClockSkew = TimeSpan.FromSeconds(30),
                    IssuerSigningKey = string.IsNullOrEmpty(options.SigningKey) ? null : TokenIssuer.Key(options.SigningKey),
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        builder.Services.AddSingleton<ServiceIdentity>();
        return builder;
    }

    public static string? Subject(this ClaimsPrincipal user) => user.FindFirst("sub")?.Value;
}
