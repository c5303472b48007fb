using Microsoft.Extensions.Options;
using Platform.Customer.Application;

namespace Platform.Customer.Jobs;

/// <summary>Section "PiiRekeying": whether the job runs, how often, and how many rows one batch re-encrypts.</summary>
public sealed class PiiRekeyingOptions
{
    public const string Section = "PiiRekeying";

    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    public int BatchSize { get; set; } = 500;
}

/// <summary>Runs <see cref="PiiRekeying"/> on a schedule (first run shortly after start), once across replicas.</summary>
public sealed class PiiRekeyingJob(IServiceScopeFactory scopes, IOptions<PiiRekeyingOptions> options, TimeProvider clock, ILogger<PiiRekeyingJob> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(o.Interval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PiiRekeying>().RunAsync(o.BatchSize, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "PII re-encryption run failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
