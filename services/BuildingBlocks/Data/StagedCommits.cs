using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.BuildingBlocks.Data;

/// <summary>Section "StagedCommits": the group commit of requests that only add rows (<see cref="StagedCommits{TDb}"/>).</summary>
public sealed class StagedCommitsOptions
{
    public const string Section = "StagedCommits";

    /// <summary>How many batches are written at the same time (each holds one pooled connection while it writes).</summary>
    public int Writers { get; set; } = 2;

    /// <summary>Most requests saved in one transaction.</summary>
    public int BatchSize { get; set; } = 64;
}

/// <summary>
/// Group commit for units of work that only add rows, as a recorded payment does (the payment, its audit entry, its
/// announcement in the outbox and the idempotent answer): the requests that arrive while a writer is busy are saved by
/// one SaveChanges in one transaction (<see cref="CommitQueue{TItem,TResult}"/>). Each caller is answered after the
/// commit that holds its rows. When the batch fails (a request id a twin already stored, a unique rule, a lost
/// connection) nothing of it is committed and each request is saved again on its own, so a failure reaches only the
/// request it belongs to, exactly as if it had saved alone.
/// </summary>
/// <remarks>
/// A unit of work that changes or deletes a row, or adds one whose state is not all in the entity (a shadow property,
/// a navigation, an owned type), is saved directly by its own SaveChanges: only plain added entities can move to the
/// writer's context without losing anything.
/// </remarks>
public sealed class StagedCommits<TDb>(IServiceScopeFactory scopes, IOptions<StagedCommitsOptions> options, ILogger<StagedCommits<TDb>> log)
    : CommitQueue<IReadOnlyList<object>, int>(Source, "staged.commit", log)
    where TDb : DbContext
{
    private static readonly ActivitySource Source = new("Platform.Data");

    protected override int Writers => options.Value.Writers;

    protected override int BatchSize => options.Value.BatchSize;

    /// <summary>
    /// Saves what <paramref name="db"/> has staged, with other requests' when it only adds plain entities (its change
    /// tracker is then emptied), otherwise by its own SaveChanges. Throws what saving it alone would throw.
    /// </summary>
    public async Task SaveAsync(TDb db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null || db.ChangeTracker.PlainAdditions() is not { } added)
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        db.ChangeTracker.Clear();
        if (added.Count > 0)
        {
            await CommitAsync(added, ct);
        }
    }

    protected override async Task<IReadOnlyList<int>> CommitManyAsync(IReadOnlyList<IReadOnlyList<object>> items)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        foreach (var unit in items)
        {
            db.AddRange(unit);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return [.. items.Select(u => u.Count)];
    }

    protected override async Task<int> CommitAloneAsync(IReadOnlyList<object> item) => (await CommitManyAsync([item]))[0];
}

public static class StagedCommitsExtensions
{
    /// <summary>
    /// Group commit for <typeparamref name="TDb"/>'s staged requests (<c>IdempotentRequests.ExecuteStagedAsync</c> uses
    /// it once registered).
    /// </summary>
    public static IHostApplicationBuilder AddStagedCommits<TDb>(this IHostApplicationBuilder builder)
        where TDb : DbContext
    {
        builder.Services.AddOptions<StagedCommitsOptions>().BindConfiguration(StagedCommitsOptions.Section)
            .Validate(o => o.Writers is >= 1 and <= 32, "StagedCommits:Writers must be 1-32")
            .Validate(o => o.BatchSize is >= 1 and <= 1000, "StagedCommits:BatchSize must be 1-1000")
            .ValidateOnStart();
        builder.Services.AddSingleton<StagedCommits<TDb>>().AddHostedService(sp => sp.GetRequiredService<StagedCommits<TDb>>());
        return builder;
    }

    /// <summary>
    /// The entities a unit of work adds, or null when it does anything else or adds what another context could not save
    /// as it is (an owned type, a navigation, a shadow property).
    /// </summary>
    public static List<object>? PlainAdditions(this ChangeTracker tracker)
    {
        var added = new List<object>();
        foreach (var entry in tracker.Entries())
        {
            if (entry.State == EntityState.Unchanged)
            {
                continue;
            }

            if (entry.State != EntityState.Added || !IsPlain(entry.Metadata))
            {
                return null;
            }

            added.Add(entry.Entity);
        }

        return added;
    }

    /// <summary>Whether the entity's whole state is in its CLR object; worked out once per entity type and kept on the model.</summary>
    private static bool IsPlain(IEntityType type) => type.GetOrAddRuntimeAnnotationValue("Platform:PlainEntity",
        static t => !(t!.IsOwned() || t.GetNavigations().Any() || t.GetSkipNavigations().Any() || t.GetComplexProperties().Any()
            || t.GetProperties().Any(p => p.IsShadowProperty())),
        type);
}
