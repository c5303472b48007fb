using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.BuildingBlocks.Data;

/// <summary>
/// Group commit. Callers' work waits here; each of a few writers takes whatever has gathered (up to the batch size) and
/// commits it in one transaction through <see cref="CommitManyAsync"/>: one set of round trips and one commit for all
/// of it. A caller is answered only after the commit that holds its work. Nothing waits for a batch to fill: a writer
/// takes what is there as soon as it is free, so a lone caller is written at once and many callers share commits.
/// </summary>
/// <remarks>
/// When a batch fails as a whole (a key another transaction inserted at the same moment, a deadlock, a lost
/// connection) nothing of it was committed, and each item is committed again on its own through
/// <see cref="CommitAloneAsync"/>, so every caller gets its own answer or its own error. An item whose caller stopped
/// waiting is still committed with its batch: a caller that gave up does not know whether its work was done, which is
/// what the request ids of the mutating RPCs are for.
/// </remarks>
public abstract partial class CommitQueue<TItem, TResult>(ActivitySource source, string spanName, ILogger log) : BackgroundService
{
    private readonly Channel<Entry> waiting = Channel.CreateUnbounded<Entry>();
    private long batches;
    private long failedBatches;
    private long items;

    /// <summary>Items waiting for a writer.</summary>
    public int Waiting => waiting.Reader.Count;

    /// <summary>Batches taken so far, how many of them failed as a whole, and the items they held.</summary>
    public (long Batches, long Failed, long Items) Counts => (Interlocked.Read(ref batches), Interlocked.Read(ref failedBatches), Interlocked.Read(ref items));

    /// <summary>How many writers commit batches at the same time (each holds one connection while it writes).</summary>
    protected abstract int Writers { get; }

    /// <summary>Most items committed in one transaction.</summary>
    protected abstract int BatchSize { get; }

    /// <summary>
    /// How long a batch waits, from the arrival of its first item, for more to gather. Zero (the default) takes what is
    /// there as soon as a writer is free, so a lone caller is written at once. A queue whose items arrive together from
    /// concurrent deliveries, or that nobody waits on, can wait a little: items published together then share a batch,
    /// and a steady stream makes fewer, larger batches. Under load the first waiting item has usually waited that long
    /// already by the time a writer is free, so the window adds nothing there.
    /// </summary>
    protected virtual TimeSpan Window => TimeSpan.Zero;

    /// <summary>Commits <paramref name="item"/> with whatever else is waiting; answers once it is committed.</summary>
    public async Task<TResult> CommitAsync(TItem item, CancellationToken ct)
    {
        var entry = new Entry(item, Activity.Current?.Context);
        if (!waiting.Writer.TryWrite(entry))
        {
            throw new OperationCanceledException("The service is stopping");
        }

        return await entry.Result.Task.WaitAsync(ct);
    }

    /// <summary>Commits the items in one transaction and answers one result per item, in their order; throws, having committed nothing, when it fails.</summary>
    protected abstract Task<IReadOnlyList<TResult>> CommitManyAsync(IReadOnlyList<TItem> items);

    /// <summary>Commits one item in its own transaction, after its batch failed; what it throws reaches the item's caller.</summary>
    protected abstract Task<TResult> CommitAloneAsync(TItem item);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => WriteAsync(stoppingToken)));
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
        var size = BatchSize;
        var window = Window;
        var batch = new List<Entry>(size);
        try
        {
            while (await waiting.Reader.WaitToReadAsync(stoppingToken))
            {
                if (window > TimeSpan.Zero && waiting.Reader.TryPeek(out var first))
                {
                    var wait = window - Stopwatch.GetElapsedTime(first.Arrived);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, stoppingToken);
                    }
                }

                batch.Clear();
                while (batch.Count < size && waiting.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count > 0)
                {
                    await CommitBatchAsync(batch); // not cancelled: a batch begun is finished, and its callers answered
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CommitBatchAsync(List<Entry> batch)
    {
        var links = batch.Where(w => w.Caller is not null).Select(w => new ActivityLink(w.Caller!.Value));
        using var activity = source.StartActivity(spanName, ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("batch.size", batch.Count);
        Interlocked.Increment(ref batches);
        Interlocked.Add(ref items, batch.Count);
        try
        {
            var results = await CommitManyAsync([.. batch.Select(w => w.Item)]);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref failedBatches);
            LogBatchFailed(log, spanName, batch.Count, e);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            foreach (var one in batch)
            {
                try
                {
                    one.Result.TrySetResult(await CommitAloneAsync(one.Item));
                }
                catch (Exception alone)
                {
                    one.Result.TrySetException(alone);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} items failed as a whole in {Commit}; committing each in its own transaction")]
    private static partial void LogBatchFailed(ILogger logger, string commit, int count, Exception exception);

    private sealed record Entry(TItem Item, ActivityContext? Caller)
    {
        public long Arrived { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
