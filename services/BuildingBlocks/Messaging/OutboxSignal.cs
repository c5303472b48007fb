using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>Wakes the relay as soon as a transaction that wrote outbox rows commits, instead of waiting for the next poll.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim pulse = new(0, 1);

    public void Pulse()
    {
        if (pulse.CurrentCount > 0)
        {
            return; // already signalled
        }

        try
        {
            pulse.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    public void Dispose() => pulse.Dispose();

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await pulse.WaitAsync(timeout, ct);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}

/// <summary>
/// Pulses the <see cref="OutboxSignal"/> once outbox rows a context added are committed: after SaveChanges when no
/// explicit transaction is open, otherwise after the commit. Saves that add no outbox rows (the relay's own) never pulse.
/// </summary>
public sealed class OutboxSignalInterceptor(OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> awaitingCommit = [];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && db.Added<OutboxMessage>().Any())
        {
            awaitingCommit.AddOrUpdate(db, db);
        }

        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null && awaitingCommit.Remove(db))
        {
            signal.Pulse();
        }

        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && awaitingCommit.Remove(db))
        {
            signal.Pulse();
        }

        return Task.CompletedTask;
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db)
        {
            awaitingCommit.Remove(db);
        }

        return Task.CompletedTask;
    }
}
