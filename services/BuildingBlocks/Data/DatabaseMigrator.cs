using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.BuildingBlocks.Data;

/// <summary>
/// Applies the service's EF Core migrations: at start in Development (or with Database:MigrateAtStart=true), before the
/// other hosted services (outbox relay, bus) start; elsewhere `--migrate` runs them and exits (a Kubernetes Job).
/// </summary>
public sealed class DatabaseMigrator<TDb>(IServiceScopeFactory scopes, IHostEnvironment environment, IConfiguration configuration,
    ILogger<DatabaseMigrator<TDb>> log) : IHostedService, IDatabaseMigrator where TDb : DbContext
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        // Npgsql's history repository reads the history table without asking whether it exists, so on a fresh database
        // EF logs the "relation does not exist" it expects as an error (npgsql/efcore.pg#3407): a false alarm for whoever
        // reads the first start's log. The table is created first (IF NOT EXISTS, as EF's own lock step does).
        await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        await db.Database.MigrateAsync(ct);
        log.LogInformation("{Database}: {Count} migration(s) applied", typeof(TDb).Name, pending.Count);
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        environment.IsDevelopment() || configuration.GetValue<bool>("Database:MigrateAtStart")
            ? MigrateAsync(cancellationToken)
            : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public interface IDatabaseMigrator
{
    Task MigrateAsync(CancellationToken ct);
}

public static class MigrationRunner
{
    /// <summary>Runs the service; with <c>--migrate</c>, applies its database migrations and exits instead.</summary>
    public static async Task<int> RunServiceAsync(this WebApplication app, string[] args)
    {
        if (!args.Contains("--migrate"))
        {
            await app.RunAsync();
            return 0;
        }

        foreach (var migrator in app.Services.GetServices<IDatabaseMigrator>())
        {
            await migrator.MigrateAsync(CancellationToken.None);
        }

        return 0;
    }
}
