using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Data;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

/// <summary>
/// Group commit for the Transfer RPC (<see cref="CommitQueue{TItem,TResult}"/>): the transfers that gather while a
/// writer is busy are applied together through <see cref="LedgerStore.ApplyManyAsync"/>, with the same locks, checks
/// and rows as one transfer at a time, up to <see cref="BillingOptions.LedgerBatch"/> per commit and
/// <see cref="BillingOptions.LedgerWriters"/> commits at a time. When a batch's writes fail as a whole, each transfer
/// is applied again on its own transaction; one applied by a commit whose answer was lost is then found by its id and
/// answered as a replay.
/// </summary>
public sealed class LedgerQueue(IServiceScopeFactory scopes, IOptions<BillingOptions> options, ILogger<LedgerQueue> log)
    : CommitQueue<LedgerPosting, PostingResult>(Source, "ledger.commit", log)
{
    private static readonly ActivitySource Source = new("Platform.Billing");

    protected override int Writers => options.Value.LedgerWriters; // 1-32, validated at start

    protected override int BatchSize => options.Value.LedgerBatch; // 1-1000, validated at start

    /// <summary>Applies the caller's transfer with whatever else is waiting; answers once it is committed.</summary>
    public async Task<AppliedTransfer> ApplyAsync(Guid customerId, Transfer transfer, string? currency, string? reference, CancellationToken ct)
    {
        var result = await CommitAsync(LedgerPosting.Of(customerId, transfer, currency, reference), ct);
        return result.Refusal is { } refusal ? throw refusal
            : result.Applied ?? throw new InvalidOperationException("A caller's transfer always applies or is refused");
    }

    protected override async Task<IReadOnlyList<PostingResult>> CommitManyAsync(IReadOnlyList<LedgerPosting> items)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LedgerStore>().ApplyManyAsync(items, CancellationToken.None);
    }

    protected override async Task<PostingResult> CommitAloneAsync(LedgerPosting item)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            return new PostingResult(await scope.ServiceProvider.GetRequiredService<LedgerStore>().ApplyAsync(item, CancellationToken.None), null);
        }
        catch (PlatformException refusal)
        {
            return new PostingResult(null, refusal);
        }
    }
}
