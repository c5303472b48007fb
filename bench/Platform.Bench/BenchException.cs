namespace Platform.Bench;

/// <summary>A usage or setup problem, reported to the user as its message alone (exit code 1).</summary>
public sealed class BenchException(string message) : Exception(message);
