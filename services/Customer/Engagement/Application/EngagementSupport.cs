using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Engagement.Application;

/// <summary>Lower-case names of the customer enums, as events and reports carry them.</summary>
public static class EngagementNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>Keyset page tokens: the sort key of the last row answered (time ticks and id).</summary>
public static class PageToken
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public static int Size(int requested, Validator check)
    {
        check.Require(requested is >= 0 and <= MaxSize, "page_size", $"must be 0-{MaxSize}");
        return requested == 0 ? DefaultSize : requested;
    }

    public static string Encode(DateTimeOffset at, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(at.UtcTicks.ToString(CultureInfo.InvariantCulture) + "|" + id));

    public static string Encode(Guid id) => Convert.ToBase64String(Encoding.UTF8.GetBytes("0|" + id));

    /// <summary>Parses a token; records a page_token violation when it is not one of ours.</summary>
    public static (DateTimeOffset At, Guid Id)? Decode(string token, Validator check)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && Guid.TryParse(parts[1], out var id))
            {
                return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
            }
        }
        catch (FormatException)
        {
            // Reported below as a field violation.
        }

        check.Require(false, "page_token", "is not a token this list answered");
        return null;
    }
}

/// <summary>Reads the profile the engagement changes, tracked, so its changes go through SaveChanges (and the cache invalidation).</summary>
public static class Profiles
{
    /// <summary>The tracked profile: from the unit of work when already loaded (no round trip), else from the database.</summary>
    public static Task<CustomerProfile?> FindTrackedAsync(this CustomerDb db, Guid id, CancellationToken ct) =>
        db.Set<CustomerProfile>().FindAsync([id], ct).AsTask();

    public static async Task<CustomerProfile> GetTrackedAsync(this CustomerDb db, Guid id, CancellationToken ct) =>
        await db.FindTrackedAsync(id, ct) ?? throw new NotFoundException("customer", id.ToString());

    /// <summary>
    /// Refuses new engagement (a task's interaction, an opportunity or its move, a grade, a referral, a redemption) for a
    /// customer that is not known (NOT_FOUND) or was erased (FAILED_PRECONDITION <c>CUSTOMER_ERASED</c> naming it). The
    /// profile row is share-locked until the caller's transaction ends: an erasure (which locks it for update) then
    /// either waits for this write and scrubs it, or has committed and this check sees it.
    /// </summary>
    public static async Task RequireEngageableAsync(this CustomerDb db, Guid id, CancellationToken ct)
    {
        var stage = await db.Database.SqlQuery<string>($"SELECT stage AS \"Value\" FROM customers WHERE id = {id} FOR KEY SHARE")
            .SingleOrDefaultAsync(ct) ?? throw new NotFoundException("customer", id.ToString());
        if (stage == nameof(LifecycleStage.Erased))
        {
            throw new PreconditionFailedException("CUSTOMER_ERASED", $"customers/{id}", $"customer {id} was erased: nothing new is recorded about it");
        }
    }

    /// <summary>
    /// Stage and tier of the customers, untracked, with one query: a batch of events reads them once for the lifecycle and
    /// the grading, and tracks a profile only when it changes. A customer without a profile is missing from the answer.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, ProfileSnapshot>> SnapshotsAsync(this CustomerDb db, IReadOnlyCollection<Guid> ids,
        CancellationToken ct) =>
        await db.Set<CustomerProfile>().AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new ProfileSnapshot(c.Id, c.Stage, c.ValueTier)).ToDictionaryAsync(p => p.Id, ct);
}

/// <summary>What a batch of events needs to know of a profile it does not change.</summary>
public sealed record ProfileSnapshot(Guid Id, LifecycleStage Stage, ValueTier ValueTier);
