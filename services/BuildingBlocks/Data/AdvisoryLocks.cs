using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Platform.BuildingBlocks.Data;

/// <summary>
/// PostgreSQL advisory locks, the one way the services make a job or a per-key writer run once across replicas.
/// Transaction-scoped locks end with the caller's transaction; session locks need an open connection and an unlock.
/// </summary>
public static class AdvisoryLocks
{
    /// <summary>A stable 64-bit key for a scope (a job name, or a kind of record) and optionally one record's id.</summary>
    public static long KeyOf(string scope, Guid id = default) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(scope + ":" + id.ToString("N"))), 0);

    /// <summary>Waits for the lock; it is held until the current transaction ends.</summary>
    public static Task LockForTransactionAsync(this DbContext db, long key, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct);

    /// <summary>Takes the lock if free, until the current transaction ends; false when another holder has it.</summary>
    public static async Task<bool> TryLockForTransactionAsync(this DbContext db, long key, CancellationToken ct) =>
        await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({key}) AS \"Value\"").SingleAsync(ct);

    /// <summary>Takes the lock if free, on the context's (opened) connection until <see cref="UnlockSessionAsync"/>.</summary>
    public static async Task<bool> TryLockSessionAsync(this DbContext db, long key, CancellationToken ct) =>
        await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({key}) AS \"Value\"").SingleAsync(ct);

    public static async Task UnlockSessionAsync(this DbContext db, long key) =>
        await db.Database.SqlQuery<bool>($"SELECT pg_advisory_unlock({key}) AS \"Value\"").SingleAsync(CancellationToken.None);
}
