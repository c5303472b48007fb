namespace Platform.Testing;

/// <summary>Waits for an eventually consistent outcome (an event consumed, a row written), failing with the last value seen.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T last;
        while (true)
        {
            try
            {
                last = await probe();
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                last = default!;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what ?? "the condition"}; last value: {last}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds: a state the test reads in memory (a counter, a queue's length).</summary>
    public static Task Until(Func<bool> condition, TimeSpan? timeout = null, string? what = null) =>
        Until(() => Task.FromResult(condition()), done => done, timeout, what);
}
