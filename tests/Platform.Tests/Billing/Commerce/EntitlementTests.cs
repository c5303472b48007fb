using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;

namespace Platform.Tests.Billing.Commerce;

public sealed class EntitlementTests(CommerceHost host) : IClassFixture<CommerceHost>
{
    private Task<Entitlement> GetAsync(string contractId) =>
        host.Entitlements.GetEntitlementAsync(new GetEntitlementRequest { ContractId = contractId }, Tokens.As(Roles.SupportAgent)).ResponseAsync;

    [Fact]
    public async Task Suspending_one_contract_leaves_another_contract_of_the_same_customer_active()
    {
        var (setup, _) = await host.NewProductAsync();
        var customer = Id();
        var overdue = await host.SignedContractAsync(customer, Terms(host.Clock.GetUtcNow()), 12, (setup, 1));
        var inGoodStanding = await host.SignedContractAsync(customer, Terms(host.Clock.GetUtcNow()), 12, (setup, 1));

        var suspended = await host.Entitlements.SuspendContractAsync(new SuspendContractRequest
        {
            RequestId = Id(),
            ContractId = overdue.ContractId,
            Reason = "installment 1 overdue",
        }, Tokens.As(Roles.Service));

        Assert.Equal((EntitlementState.Suspended, "installment 1 overdue"), (suspended.State, suspended.Reason));
        Assert.Equal(EntitlementState.Active, (await GetAsync(inGoodStanding.ContractId)).State);
        Assert.Equal(EntitlementState.Suspended, (await GetAsync(overdue.ContractId)).State);
        var evt = Assert.Single((await host.OutboxAsync("ContractSuspended")).Select(p => JsonDocument.Parse(p).RootElement),
            e => e.GetProperty("contractId").GetString() == overdue.ContractId);
        Assert.Equal(customer, evt.GetProperty("customerId").GetString());

        var resumed = await host.Entitlements.ResumeContractAsync(new ResumeContractRequest
        {
            RequestId = Id(),
            ContractId = overdue.ContractId,
            Reason = "paid",
        }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal(EntitlementState.Active, resumed.State);
        Assert.Contains((await host.OutboxAsync("ContractResumed")).Select(p => JsonDocument.Parse(p).RootElement),
            e => e.GetProperty("contractId").GetString() == overdue.ContractId);
    }

    [Fact]
    public async Task Change_without_a_reason_names_the_field_and_a_wrong_state_names_the_precondition()
    {
        var (setup, _) = await host.NewProductAsync();
        var contract = await host.SignedContractAsync(Id(), Terms(host.Clock.GetUtcNow()), 12, (setup, 1));
        var before = await host.CountsAsync();

        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await host.Entitlements.SuspendContractAsync(new SuspendContractRequest
        {
            RequestId = Id(),
            ContractId = contract.ContractId,
            Reason = "  ",
        }, Tokens.As(Roles.FinanceClerk)));
        var notSuspended = await Assert.ThrowsAsync<RpcException>(async () => await host.Entitlements.ResumeContractAsync(new ResumeContractRequest
        {
            RequestId = Id(),
            ContractId = contract.ContractId,
            Reason = "paid",
        }, Tokens.As(Roles.FinanceClerk)));
        var salesRep = await Assert.ThrowsAsync<RpcException>(async () => await host.Entitlements.TerminateContractAsync(new TerminateContractRequest
        {
            RequestId = Id(),
            ContractId = contract.ContractId,
            Reason = "churn",
        }, Tokens.As(Roles.SalesRep)));

        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Equal("reason", noReason.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        Assert.Equal(StatusCode.FailedPrecondition, notSuspended.StatusCode);
        Assert.Equal("ENTITLEMENT_STATE", notSuspended.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(StatusCode.PermissionDenied, salesRep.StatusCode);
        Assert.Equal(before, await host.CountsAsync());
        Assert.Equal(EntitlementState.Active, (await GetAsync(contract.ContractId)).State);
    }

    [Fact]
    public async Task Terminated_contract_stays_terminated()
    {
        var (setup, _) = await host.NewProductAsync();
        var contract = await host.SignedContractAsync(Id(), Terms(host.Clock.GetUtcNow()), 12, (setup, 1));

        await host.Entitlements.TerminateContractAsync(new TerminateContractRequest { RequestId = Id(), ContractId = contract.ContractId, Reason = "customer left" },
            Tokens.As(Roles.FinanceApprover));
        var e = await Assert.ThrowsAsync<RpcException>(async () => await host.Entitlements.ResumeContractAsync(new ResumeContractRequest
        {
            RequestId = Id(),
            ContractId = contract.ContractId,
            Reason = "paid",
        }, Tokens.As(Roles.FinanceApprover)));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal(EntitlementState.Terminated, (await GetAsync(contract.ContractId)).State);
    }
}
