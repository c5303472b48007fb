using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>Runs the relay: after every commit that wrote outbox rows (signalled), and on a poll interval.</summary>
public sealed class OutboxRelayService<TDb>(
    OutboxRelay<TDb> relay,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxRelayService<TDb>> log) : BackgroundService where TDb : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var published = 0;
            try
            {
                published = await relay.PublishPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Outbox relay pass failed; retrying");
            }

            if (published < options.Value.BatchSize)
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
        }
    }
}
