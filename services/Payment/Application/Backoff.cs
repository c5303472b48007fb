namespace Platform.Payment.Application;

/// <summary>
/// When a job takes up again an item it could not finish (an answer still pending, a call that failed): after as long as
/// the item has been waiting so far, at least <c>shortest</c> and at most <c>longest</c>. The wait doubles from one try
/// to the next without a counter, and an item that never finishes goes behind the ones that are due instead of holding
/// the head of the job's batch.
/// </summary>
public static class Backoff
{
    public static DateTimeOffset NextTry(DateTimeOffset waitingSince, DateTimeOffset now, TimeSpan shortest, TimeSpan longest)
    {
        var waited = now - waitingSince;
        return now + (waited < shortest ? shortest : waited > longest ? longest : waited);
    }
}
