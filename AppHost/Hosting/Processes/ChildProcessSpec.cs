namespace Platform.Hosting.Processes;

/// <summary>A process to start: program, arguments, environment, the account to run it as and how to stop it.</summary>
public sealed record ChildProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Added to (or, with a null value, removed from) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Run as this account (only when we are root), e.g. "postgres".</summary>
    public string? RunAsUser { get; init; }

    /// <summary>The graceful stop signal; also sent by the kernel if the orchestrator dies.</summary>
    public int StopSignal { get; init; } = Native.SigTerm;

    /// <summary>Receives every stdout/stderr line.</summary>
    public Action<string>? Output { get; init; }
}
