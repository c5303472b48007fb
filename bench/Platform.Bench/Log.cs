namespace Platform.Bench;

/// <summary>Progress goes to stderr so that stdout carries only the results (table or JSON).</summary>
public static class Log
{
    public static void Info(string message) => Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");
}
