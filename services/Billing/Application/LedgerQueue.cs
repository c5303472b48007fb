using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Billing.Domain.Ledger;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

/// <summary>
/// Group commit for the Transfer RPC. Callers' transfers wait here; each of a few writers takes whatever has gathered
/// (up to <see cref="BillingOptions.LedgerBatch"/>) and applies it in one transaction through
/// <see cref="LedgerStore.ApplyManyAsync"/>: the same locks, checks and rows as one transfer at a time, with one set of
/// round trips and one commit for all of them. A caller is answered only after the commit that holds its transfer.
/// Nothing waits for a batch to fill: a writer takes what is there as soon as it is free, so a lone caller is written
/// at once and 64 callers share commits.
/// </summary>
/// <remarks>
/// When the batch's writes fail as a whole (a transfer id another transaction inserted at the same moment, a deadlock, a
/// lost connection) nothing of it was committed, and each transfer is applied again on its own transaction, so every
/// caller gets its own answer; one applied by a commit whose answer was lost is then found by its id and answered as a
/// replay.
/// </remarks>
public sealed partial class LedgerQueue(IServiceScopeFactory scopes, IOptions<BillingOptions> options, ILogger<LedgerQueue> log) : BackgroundService
{
    private static readonly ActivitySource Source = new("Platform.Billing");

    private readonly Channel<Waiting> waiting = Channel.CreateUnbounded<Waiting>();

    /// <summary>Applies the caller's transfer with whatever else is waiting; answers once it is committed.</summary>
    public async Task<AppliedTransfer> ApplyAsync(Guid customerId, Transfer transfer, string? currency, string? reference, CancellationToken ct)
    {
        var entry = new Waiting(LedgerPosting.Of(customerId, transfer, currency, reference), Activity.Current?.Context);
        if (!waiting.Writer.TryWrite(entry))
        {
            throw new OperationCanceledException("The service is stopping");
        }

        var result = await entry.Result.Task.WaitAsync(ct);
        return result.Refusal is { } refusal ? throw refusal
            : result.Applied ?? throw new InvalidOperationException("A caller's transfer always applies or is refused");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writers = options.Value.LedgerWriters; // 1-32, validated at start
        try
        {
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => WriteAsync(stoppingToken)));
        }
        finally
        {
            waiting.Writer.TryComplete();
            while (waiting.Reader.TryRead(out var left))
            {
                left.Result.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task WriteAsync(CancellationToken stoppingToken)
    {
        var size = options.Value.LedgerBatch; // 1-1000, validated at start
        var batch = new List<Waiting>(size);
        try
        {
            while (await waiting.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < size && waiting.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count > 0)
                {
                    await CommitAsync(batch); // not cancelled: a batch begun is finished, and its callers answered
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CommitAsync(List<Waiting> batch)
    {
        var links = batch.Where(w => w.Caller is not null).Select(w => new ActivityLink(w.Caller!.Value));
        using var activity = Source.StartActivity("ledger.commit", ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("ledger.transfers", batch.Count);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var results = await scope.ServiceProvider.GetRequiredService<LedgerStore>().ApplyManyAsync([.. batch.Select(w => w.Posting)], CancellationToken.None);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception e)
        {
            LogBatchFailed(log, batch.Count, e);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            foreach (var one in batch)
            {
                await CommitAloneAsync(one);
            }
        }
    }

    private async Task CommitAloneAsync(Waiting one)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var applied = await scope.ServiceProvider.GetRequiredService<LedgerStore>().ApplyAsync(one.Posting, CancellationToken.None);
            one.Result.TrySetResult(new PostingResult(applied, null));
        }
        catch (PlatformException refusal)
        {
            one.Result.TrySetResult(new PostingResult(null, refusal));
        }
        catch (Exception e)
        {
            one.Result.TrySetException(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A ledger commit of {Count} transfers failed as a whole; applying each in its own transaction")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    private sealed record Waiting(LedgerPosting Posting, ActivityContext? Caller)
    {
        public TaskCompletionSource<PostingResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
