using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Platform.BuildingBlocks.Data;

/// <summary>
/// What a unit of work already tracks, read without change detection. DbSet.Local and ChangeTracker.Entries first
/// compare every tracked entity with its snapshot; code that applies a batch of messages asks the unit of work once or
/// more per message, so that comparison grew with the square of the batch. An entity added, loaded or removed has
/// its state from that moment; only a property changed since the last save is not yet seen as Modified here.
/// </summary>
public static class TrackedEntities
{
    /// <summary>The tracked entries of <typeparamref name="T"/> as they are now, without change detection.</summary>
    public static IReadOnlyList<EntityEntry<T>> TrackedEntries<T>(this DbContext db) where T : class
    {
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return db.ChangeTracker.Entries<T>().ToList();
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>The tracked entity of <typeparamref name="T"/> that <paramref name="match"/> finds, or null; no change detection.</summary>
    public static T? Tracked<T>(this DbContext db, Func<T, bool> match) where T : class =>
        db.TrackedEntries<T>().Select(e => e.Entity).FirstOrDefault(match);

    /// <summary>The entities of <typeparamref name="T"/> added to the unit of work and not yet saved; no change detection.</summary>
    public static IEnumerable<T> Added<T>(this DbContext db) where T : class =>
        db.TrackedEntries<T>().Where(e => e.State == EntityState.Added).Select(e => e.Entity);
}
