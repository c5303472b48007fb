using Google.Rpc;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;

namespace Platform.Tests.Billing.Commerce;

/// <summary>A refund under a contract follows its refund policy: non-refundable fee items, handling fee, earlier refunds.</summary>
public sealed class ContractRefundTests(CommerceHost host) : IClassFixture<CommerceHost>
{
    private Refunds.RefundsClient Refunds => new(host.Billing.Channel);

    private Task<Refund> RequestAsync(string customer, decimal amount, string contractId) =>
        Refunds.RequestRefundAsync(new RequestRefundRequest
        {
            RequestId = Id(), CustomerId = customer, Amount = Cny(amount), Reason = "service ends early", ContractId = contractId,
        }, Tokens.AsUser("li.na", Roles.FinanceClerk)).ResponseAsync;

    private async Task<Contract> PaidContractAsync(string customer)
    {
        var (setup, seat) = await host.NewProductAsync();
        var terms = Terms(host.Clock.GetUtcNow());
        terms.RefundPolicy.NonRefundableFeeItemCodes.Add(setup);
        var contract = await host.SignedContractAsync(customer, terms, 12, (setup, 1), (seat, 2));
        var paid = contract.Total.ToDecimal();
        await host.PublishAsync(new PaymentReceived(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), Guid.Parse(customer), paid, "CNY",
            "bank_transfer", DateTimeOffset.UtcNow, ContractId: Guid.Parse(contract.ContractId)));
        await Eventually.Until(async () => (await host.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customer }, Tokens.As(Roles.Service)))
            .Available.ToDecimal(), a => a == paid, what: "the contract's payment to be deposited");
        return contract;
    }

    [Fact]
    public async Task Refund_under_a_contract_is_bounded_by_its_refund_policy_and_the_refunds_before_it()
    {
        var customer = Id();
        var contract = await PaidContractAsync(customer);
        var setupFee = contract.Items.Where(i => contract.Terms.RefundPolicy.NonRefundableFeeItemCodes.Contains(i.FeeItemCode)).Sum(i => i.LineTotal.ToDecimal());
        var remaining = contract.Total.ToDecimal() - setupFee; // nothing consumed yet
        var limit = remaining - decimal.Round(remaining * 0.05m, 2); // 500 basis points handling fee

        var over = await Assert.ThrowsAsync<RpcException>(() => RequestAsync(customer, limit + 0.01m, contract.ContractId));
        var first = await RequestAsync(customer, limit - 100m, contract.ContractId);
        var overAfterFirst = await Assert.ThrowsAsync<RpcException>(() => RequestAsync(customer, 100.01m, contract.ContractId));
        var second = await RequestAsync(customer, 100m, contract.ContractId);

        Assert.True(setupFee > 0);
        Assert.Equal((StatusCode.FailedPrecondition, "REFUND_EXCEEDS_POLICY"), (over.StatusCode, over.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason));
        Assert.Equal("REFUND_EXCEEDS_POLICY", overAfterFirst.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal((contract.ContractId, contract.ContractId), (first.ContractId, second.ContractId));
    }

    [Fact]
    public async Task Refund_naming_another_customers_contract_is_refused_naming_the_field()
    {
        var contract = await PaidContractAsync(Id());
        var other = Id();
        await PaidContractAsync(other);

        var e = await Assert.ThrowsAsync<RpcException>(() => RequestAsync(other, 10m, contract.ContractId));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(["contract_id"], e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
    }
}
