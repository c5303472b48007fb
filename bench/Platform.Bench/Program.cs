using System.Runtime.InteropServices;
using Platform.Bench;
using Platform.Bench.Cli;
using Platform.Bench.Scenarios;

BenchOptions options;
try
{
    options = OptionsParser.Parse(args);
}
catch (BenchException ex)
{
    Console.Error.WriteLine($"error: {ex.Message} (see --help)");
    return 1;
}

if (options.Help || options.List)
{
    Console.WriteLine(options.Help ? OptionsParser.Help + Environment.NewLine + "Scenarios:" : "Scenarios:");
    foreach (var s in ScenarioRegistry.All)
    {
        Console.WriteLine($"  {s.Name,-20} {s.Description}");
    }

    return 0;
}

using var cts = new CancellationTokenSource();

// The first Ctrl+C or SIGTERM stops the run cleanly (tables dropped, platform stopped); a second one ends the process.
void Stop(PosixSignalContext signal)
{
    signal.Cancel = !cts.IsCancellationRequested;
    cts.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

try
{
    return await BenchRun.ExecuteAsync(options, cts.Token);
}
catch (BenchException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
