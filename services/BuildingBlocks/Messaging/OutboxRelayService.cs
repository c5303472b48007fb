using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.BuildingBlocks.Messaging;

/// <summary>
/// Runs the relay: after every commit that wrote outbox rows (signalled), and on a poll interval. When the service stops,
/// a pass that has begun is finished, not cancelled: its publishes are bounded by <see cref="OutboxOptions.PublishTimeout"/>,
/// the relay stops before the bus (it is registered after it), and a publish cancelled halfway would be logged by the bus
/// as a fault and, if the broker had taken it, published again by the next replica to start.
/// </summary>
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
                published = await relay.PublishPendingAsync(CancellationToken.None);
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
