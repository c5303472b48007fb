using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>Wakes the relay as soon as a transaction that wrote outbox rows commits, instead of waiting for the next poll.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim pulse = new(0, 1);

    public void Pulse()
    {
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

/// <summary>Pulses the <see cref="OutboxSignal"/> after SaveChanges (no explicit transaction) or after a commit.</summary>
public sealed class OutboxSignalInterceptor(OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            signal.Pulse();
        }

        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        signal.Pulse();
        return Task.CompletedTask;
    }
}
