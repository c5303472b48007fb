using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Payment.V1;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Customers registered through the customer service for the payment scenarios, used round-robin. Payments need no
/// funding (they are the money coming in), but the payment service refuses a payer the customer service does not know
/// (it answers from its own view once CustomerRegistered arrived), and billing opens the prepaid account a deposit goes
/// to only for a customer the customer service knows.
/// </summary>
internal sealed class PayingCustomers
{
    private long next;

    public required IReadOnlyList<string> Ids { get; init; }

    public string Next() => Ids[(int)(Interlocked.Increment(ref next) % Ids.Count)];

    public static async Task<PayingCustomers> RegisterAsync(BenchContext context, int count, string label)
    {
        var customers = new Customers.CustomersClient(context.Channel("customer"));
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var customer = await customers.RegisterCustomerAsync(new RegisterCustomerRequest
            {
                RequestId = Guid.NewGuid().ToString(),
                Kind = CustomerKind.Organization,
                DisplayName = $"Bench {label} {i}",
                Email = $"{Guid.NewGuid():N}@bench.example",
            }, context.CallOptions(context.Cancellation));
            ids.Add(customer.CustomerId);
        }

        return new PayingCustomers { Ids = ids };
    }
}

/// <summary>The payment every payment scenario records: cash, a fixed amount, a fresh request_id.</summary>
internal static class BenchPayments
{
    /// <summary>Every payment is this much, so a balance's growth divided by it counts the payments it holds.</summary>
    public const long AmountUnits = 10;

    public static RecordPaymentRequest Cash(string customerId) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CustomerId = customerId,
        Method = PaymentMethod.Cash,
        Amount = new Google.Type.Money { CurrencyCode = "CNY", Units = AmountUnits },
        Reference = "bench",
    };
}

/// <summary>
/// RecordPayment of cash over 256 registered customers, a new request_id per call: validation, the idempotency row,
/// the payment row, its audit entry and the PaymentReceived outbox row in one transaction (durable), then the relay's
/// publish (and billing's deposit, on the same machine). Compare it with <c>pg-insert</c> (<c>--baseline pg-insert</c>).
/// </summary>
public sealed class RecordPaymentScenario : IScenario
{
    private Payments.PaymentsClient? client;
    private BenchContext? context;
    private PayingCustomers? customers;

    public string Name => "record-payment";

    public string Description => "RecordPayment (cash) over 256 registered customers, durable through the outbox (needs --resources or --start-platform).";

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        client = new Payments.PaymentsClient(context.Channel("payment"));
        customers = await PayingCustomers.RegisterAsync(context, 256, "Payer");
    }

    public Task RunOnceAsync(CancellationToken ct) =>
        client!.RecordPaymentAsync(BenchPayments.Cash(customers!.Next()), context!.CallOptions(ct)).ResponseAsync;
}

/// <summary>
/// End to end, open loop: payments of cash are recorded at a fixed rate (default 500/s) over 16 registered customers,
/// and one operation lasts from the RecordPayment call's due time until the payment shows in billing's prepaid
/// balance (GetPrepaidBalance): outbox, relay, RabbitMQ, billing's inbox consumer, ledger deposit. A payment not
/// visible within <c>--timeout</c> is an error ("not visible"); a failed RecordPayment is an error of its own.
/// </summary>
/// <remarks>
/// One poller per customer reads its balance while the customer has payments not yet seen (and not at all
/// otherwise): every <see cref="PollInterval"/> while the balance moves, backing off to <see cref="MaxPollInterval"/>
/// while it does not, so a billing that falls behind gets fewer reads (16 / 200 ms = 80 per second), not more, and one
/// that keeps up gets at most 16 / 50 ms = 320 (fewer than the payments at 500/s). Every payment has the same amount, so the balance's growth counts how many of the customer's payments
/// billing has applied; the first n recorded (in call order) are taken as visible. When billing applies two of one
/// customer's payments out of order their latencies swap, which leaves the distribution nearly as it is. A payment is
/// taken as visible when the read that shows it returns, so the figure errs on the slow side by up to one interval
/// (50 ms, up to 200 ms for a payment already waiting that long) plus one read.
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "The pollers' stop source is disposed in TeardownAsync, which the bench always calls.")]
public sealed class PaymentToBalanceScenario : IScenario
{
    /// <summary>How often a customer's balance is read while payments of it are on their way.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest pause between reads of a balance that has not moved (the interval doubles up to it).</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(200);

    private const int CustomerCount = 16;

    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> pollers = [];
    private Payments.PaymentsClient? payments;
    private PrepaidAccounts.PrepaidAccountsClient? billing;
    private BenchContext? context;
    private BalanceWatch[] watches = [];
    private long nextWatch;
    private long polls;
    private long pollErrors;
    private long pollersStarted;

    public string Name => "payment-to-balance";

    public string Description => "Open loop (--rate, default 500/s): RecordPayment until the payment is visible in billing's prepaid balance (needs --resources or --start-platform).";

    public double? DefaultRate => 500;

    public async Task SetupAsync(BenchContext context)
    {
        this.context = context;
        payments = new Payments.PaymentsClient(context.Channel("payment"));
        billing = new PrepaidAccounts.PrepaidAccountsClient(context.Channel("billing"));
        var customers = await PayingCustomers.RegisterAsync(context, CustomerCount, "Balance");
        var opened = new List<BalanceWatch>();
        foreach (var id in customers.Ids)
        {
            opened.Add(new BalanceWatch(id, await OpenBalanceAsync(id, context)));
        }

        watches = [.. opened];
        pollersStarted = Stopwatch.GetTimestamp();
        pollers.AddRange(watches.Select(w => Task.Run(() => PollAsync(w, stop.Token), CancellationToken.None)));
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var watch = watches[(int)(Interlocked.Increment(ref nextWatch) % watches.Length)];
        var expected = watch.Expect();
        try
        {
            await payments!.RecordPaymentAsync(BenchPayments.Cash(watch.CustomerId), context!.CallOptions(ct)).ResponseAsync;
        }
        catch
        {
            watch.Forget(expected); // it will not arrive: later payments must not wait for its amount
            throw;
        }

        var timeout = context.Options.OperationTimeout;
        var left = timeout - Stopwatch.GetElapsedTime(started);
        try
        {
            await expected.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"recorded, but not visible in the prepaid balance within {timeout.TotalSeconds:0.###} s");
        }
    }

    public async Task TeardownAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(pollers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (pollers.Count > 0)
        {
            var seconds = Stopwatch.GetElapsedTime(pollersStarted).TotalSeconds;
            Log.Info($"{Name}: {polls} balance reads in {seconds:F0} s ({polls / Math.Max(seconds, 1e-9):F0}/s), {pollErrors} failed");
        }

        stop.Dispose();
    }

    /// <summary>The customer's available balance once billing has opened the account (it does so on CustomerRegistered).</summary>
    private async Task<decimal> OpenBalanceAsync(string customerId, BenchContext context)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                var balance = await billing!.GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customerId }, context.CallOptions(context.Cancellation));
                if (balance.State == AccountState.Open)
                {
                    return Decimal(balance.Available);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // billing has not applied CustomerRegistered yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchException($"{Name}: billing did not open the prepaid account of customer {customerId} within 2 minutes.");
            }

            await Task.Delay(100, context.Cancellation);
        }
    }

    private async Task PollAsync(BalanceWatch watch, CancellationToken ct)
    {
        var interval = PollInterval;
        while (!ct.IsCancellationRequested)
        {
            await watch.WhenAwaitedAsync().WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (ct.IsCancellationRequested)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var balance = await billing!.GetPrepaidBalanceAsync(
                    new GetPrepaidBalanceRequest { CustomerId = watch.CustomerId },
                    new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct));
                Interlocked.Increment(ref polls);
                var moved = watch.Observe(Decimal(balance.Available));
                interval = moved ? PollInterval : TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxPollInterval.Ticks));
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref pollErrors);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }

            var rest = interval - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static decimal Decimal(Google.Type.Money? money) =>
        money is null ? 0m : money.Units + (money.Nanos / 1_000_000_000m);
}

/// <summary>
/// One customer's payments on their way to its prepaid balance, in call order, and how many of them the balance
/// already holds. Thread-safe: callers add and forget, the customer's poller observes.
/// </summary>
internal sealed class BalanceWatch(string customerId, decimal opening)
{
    private readonly Lock gate = new();
    private readonly LinkedList<TaskCompletionSource> awaited = new();
    private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long seen;

    public string CustomerId => customerId;

    /// <summary>A payment about to be recorded: its task completes when the balance shows it.</summary>
    public TaskCompletionSource Expect()
    {
        var payment = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            awaited.AddLast(payment);
            wake.TrySetResult();
        }

        return payment;
    }

    /// <summary>A payment whose recording failed: it is not waited for.</summary>
    public void Forget(TaskCompletionSource payment)
    {
        lock (gate)
        {
            awaited.Remove(payment);
        }
    }

    /// <summary>Completes once a payment is awaited (at once if one is).</summary>
    public Task WhenAwaitedAsync()
    {
        lock (gate)
        {
            if (awaited.Count > 0)
            {
                return Task.CompletedTask;
            }

            if (wake.Task.IsCompleted)
            {
                wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return wake.Task;
        }
    }

    /// <summary>A balance just read: each payment it newly holds makes the oldest awaited one visible. Answers whether it moved.</summary>
    public bool Observe(decimal available)
    {
        var held = (long)decimal.Floor((available - opening) / BenchPayments.AmountUnits);
        lock (gate)
        {
            var moved = held > seen;
            for (; seen < held; seen++)
            {
                if (awaited.First is { } oldest)
                {
                    awaited.RemoveFirst();
                    oldest.Value.TrySetResult();
                }
            }

            return moved;
        }
    }
}
