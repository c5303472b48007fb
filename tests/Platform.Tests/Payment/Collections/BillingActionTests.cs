using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.ClientFactory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Billing.V1;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;

namespace Platform.Tests.Payment.Collections;

/// <summary>
/// The collections fixture advancing one case and calling billing for one action a pass, where billing's Entitlements
/// API answers the calls for the contracts in <see cref="Answers"/> with that status instead of handling them.
/// </summary>
public sealed class OneActionPerPassHost : IAsyncLifetime
{
    public CollectionsHost Collections { get; } = new();

    /// <summary>Contract id → the status billing answers its calls with.</summary>
    public ConcurrentDictionary<string, StatusCode> Answers { get; } = new();

    public async Task InitializeAsync()
    {
        Collections.PaymentSettings["Payment:Collections:BatchSize"] = "1";
        Collections.PaymentServices.Add(s => s.Configure<GrpcClientFactoryOptions>(nameof(Entitlements.EntitlementsClient),
            o => o.InterceptorRegistrations.Add(new InterceptorRegistration(InterceptorScope.Client, _ => new Answering(this)))));
        await Collections.InitializeAsync();
    }

    public Task DisposeAsync() => Collections.DisposeAsync();

    private sealed class Answering(OneActionPerPassHost host) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var contract = request switch
            {
                SuspendContractRequest r => r.ContractId,
                ResumeContractRequest r => r.ContractId,
                TerminateContractRequest r => r.ContractId,
                _ => null,
            };
            if (contract is null || !host.Answers.TryGetValue(contract, out var status))
            {
                return continuation(request, context);
            }

            throw new RpcException(new Status(status, $"billing answered {status} for contract {contract}"));
        }
    }
}

/// <summary>Billing actions that cannot go through do not hold up the ones queued behind them.</summary>
public sealed class BillingActionTests(OneActionPerPassHost host) : IClassFixture<OneActionPerPassHost>
{
    private CollectionsHost Collections => host.Collections;

    /// <summary>A contract signed in billing, and the open case of its invoice due at <paramref name="due"/>, overdue since the next day.</summary>
    private async Task<(string Contract, string Case)> OverdueAsync(Guid customer, DateTimeOffset due)
    {
        var contract = await Collections.SignedContractAsync(customer.ToString());
        var issued = CollectionsHost.Issued(Guid.CreateVersion7(), customer, Guid.Parse(contract), 500m, due);
        await Collections.PublishAsync(issued);
        Collections.Clock.SetUtcNow(due.AddDays(1));
        await Collections.PublishAsync(CollectionsHost.Overdue(issued, due.AddDays(1)));
        return (contract, (await Collections.CaseOfAsync(customer, issued.InvoiceId)).CaseId);
    }

    private Task<ContractAction> SuspensionAsync(string caseId) => Collections.Payment.QueryAsync<PaymentDb, ContractAction>(db =>
        db.Set<ContractAction>().AsNoTracking().SingleAsync(a => a.CaseId == Guid.Parse(caseId) && a.Kind == ContractActionKind.Suspend));

    [Fact]
    public async Task Suspensions_billing_keeps_failing_or_refusing_do_not_hold_up_the_next_one_and_go_through_once_it_is_put_right()
    {
        var customer = Guid.CreateVersion7();
        var start = Collections.Clock.GetUtcNow();
        var (failing, failingCase) = await OverdueAsync(customer, start);
        var (denied, deniedCase) = await OverdueAsync(customer, start.AddDays(1));
        var (healthy, healthyCase) = await OverdueAsync(customer, start.AddDays(2));
        host.Answers[failing] = StatusCode.Internal; // billing fails on this contract, pass after pass
        host.Answers[denied] = StatusCode.PermissionDenied; // billing does not let payment suspend (a token out of step)

        // Passes seconds apart: each reaches the suspension of one case (oldest due first) and calls billing for one action.
        var at = start.AddDays(48);
        for (var pass = 0; pass < 4; pass++)
        {
            await Collections.RunJobAsync(at.AddSeconds(10 * pass));
        }

        Assert.Equal(EntitlementState.Suspended, await Collections.EntitlementAsync(healthy));
        Assert.True((await Collections.GetCaseAsync(healthyCase)).ContractSuspended);
        var failure = await SuspensionAsync(failingCase);
        Assert.Equal(((DateTimeOffset?)null, 1), (failure.DoneAt, failure.Attempts));
        Assert.StartsWith("Internal: ", failure.LastError, StringComparison.Ordinal);
        var denial = await SuspensionAsync(deniedCase);
        Assert.Equal(((DateTimeOffset?)null, 1), (denial.DoneAt, denial.Attempts));
        Assert.StartsWith("PermissionDenied: ", denial.LastError, StringComparison.Ordinal);
        Assert.Equal((EntitlementState.Active, EntitlementState.Active), (await Collections.EntitlementAsync(failing), await Collections.EntitlementAsync(denied)));

        // Billing gets over its fault and its refusal: both suspensions go through once their wait is over, each asked twice.
        host.Answers.Clear();
        await Collections.RunJobAsync(at.AddMinutes(5));
        await Collections.RunJobAsync(at.AddMinutes(5).AddSeconds(10));
        Assert.Equal((EntitlementState.Suspended, EntitlementState.Suspended), (await Collections.EntitlementAsync(failing), await Collections.EntitlementAsync(denied)));
        Assert.Equal((2, 2), ((await SuspensionAsync(failingCase)).Attempts, (await SuspensionAsync(deniedCase)).Attempts));
        Assert.True((await Collections.GetCaseAsync(deniedCase)).ContractSuspended);
    }
}
