using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;
using LedgerAccount = Platform.Contracts.Billing.V1.LedgerAccount;

namespace Platform.Tests.Billing.Commerce.Consumption;

/// <summary>RecordUsage: extra services charged to an active contract at its price, once per request; refusals name the field.</summary>
public sealed class UsageTests(ConsumptionHost host) : IClassFixture<ConsumptionHost>
{
    private CommerceHost Commerce => host.Commerce;

    private static RecordUsageRequest Usage(string contractId, string item, int quantity, DateTimeOffset at) => new()
    {
        RequestId = Id(),
        ContractId = contractId,
        FeeItemCode = item,
        Quantity = quantity,
        UsageTime = Timestamp.FromDateTimeOffset(at),
    };

    private async Task<RpcException> RefusedAsync(RecordUsageRequest request, string? role = Roles.FinanceClerk) =>
        await Assert.ThrowsAsync<RpcException>(async () => await host.Consumption.RecordUsageAsync(request, Tokens.As(role!)));

    [Fact]
    public async Task Usage_is_charged_at_the_price_of_the_contract_s_signing_day_once_per_request()
    {
        var (customer, product, contract) = await host.FundedContractAsync(months: 3, deposit: 100m);
        // The list price of the text message goes up after signing; the signed contract keeps 0.25.
        var now = Commerce.Clock.GetUtcNow();
        await host.ScheduleListPriceAsync(product.Sms, 0.5m, now.AddDays(31));
        Commerce.Clock.Advance(TimeSpan.FromDays(32));

        var request = Usage(contract.ContractId, product.Sms, 120, Commerce.Clock.GetUtcNow().AddHours(-1));
        var charge = await host.Consumption.RecordUsageAsync(request, Tokens.As(Roles.Service));
        var replay = await host.Consumption.RecordUsageAsync(request, Tokens.As(Roles.FinanceClerk));

        Assert.Equal((FeeKind.Usage, 30m, ChargeSettlement.Prepaid, "usage:" + request.RequestId),
            (charge.Kind, charge.Amount.ToDecimal(), charge.Settlement, charge.Period));
        Assert.Equal(charge.ChargeId, replay.ChargeId);
        Assert.Equal(70m, await host.AvailableAsync(customer));
        Assert.Equal(30m, await host.BalanceAsync(customer, LedgerAccount.Revenue));
        Assert.Single(await host.ChargesAsync(contract.ContractId), c => c.Kind == FeeKind.Usage);
        Assert.Single(await host.ChargedEventsAsync(contract.ContractId));

        var changed = await RefusedAsync(new RecordUsageRequest(request) { Quantity = 121 });
        Assert.Equal(StatusCode.InvalidArgument, changed.StatusCode);
    }

    [Fact]
    public async Task Usage_beyond_the_balance_is_invoiced()
    {
        var customer = Id();
        var product = await host.ProductAsync();
        var contract = await host.PrepaidContractAsync(customer, product, months: 3);

        var charge = await host.Consumption.RecordUsageAsync(Usage(contract.ContractId, product.Sms, 40, Commerce.Clock.GetUtcNow()), Tokens.As(Roles.FinanceClerk));

        Assert.Equal((ChargeSettlement.Invoice, 10m), (charge.Settlement, charge.Amount.ToDecimal()));
        var invoice = await Commerce.Invoices.GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = charge.InvoiceId }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal((InvoiceState.Open, 10m), (invoice.State, invoice.Amount.ToDecimal()));
        Assert.Equal(10m, await host.BalanceAsync(customer, LedgerAccount.Receivable));
    }

    [Fact]
    public async Task Each_refusal_names_its_field_or_precondition_and_writes_nothing()
    {
        var (customer, product, contract) = await host.FundedContractAsync(months: 3, deposit: 100m);
        var now = Commerce.Clock.GetUtcNow();
        var before = await host.WrittenAsync();

        var fields = new List<(RpcException Error, string Field)>
        {
            (await RefusedAsync(Usage(Id(), product.Sms, 1, now)), "contract_id"),
            (await RefusedAsync(Usage("not-a-uuid", product.Sms, 1, now)), "contract_id"),
            (await RefusedAsync(Usage(contract.ContractId, "no.such.item", 1, now)), "fee_item_code"),
            (await RefusedAsync(Usage(contract.ContractId, product.Seat, 1, now)), "fee_item_code"),
            (await RefusedAsync(Usage(contract.ContractId, product.Sms, 0, now)), "quantity"),
            (await RefusedAsync(Usage(contract.ContractId, product.Sms, -3, now)), "quantity"),
            (await RefusedAsync(Usage(contract.ContractId, product.Sms, 1, now.AddDays(-1))), "usage_time"),
            (await RefusedAsync(Usage(contract.ContractId, product.Sms, 1, now.AddDays(1))), "usage_time"),
            (await RefusedAsync(new RecordUsageRequest(Usage(contract.ContractId, product.Sms, 1, now)) { UsageTime = null }), "usage_time"),
            (await RefusedAsync(new RecordUsageRequest(Usage(contract.ContractId, product.Sms, 1, now)) { RequestId = "" }), "request_id"),
        };
        foreach (var (error, field) in fields)
        {
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Equal(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        }

        Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(Usage(contract.ContractId, product.Sms, 1, now), Roles.SalesRep)).StatusCode);

        await Commerce.Entitlements.SuspendContractAsync(new SuspendContractRequest { RequestId = Id(), ContractId = contract.ContractId, Reason = "overdue" },
            Tokens.As(Roles.FinanceClerk));
        var suspended = await RefusedAsync(Usage(contract.ContractId, product.Sms, 1, now));
        await Commerce.Entitlements.TerminateContractAsync(new TerminateContractRequest { RequestId = Id(), ContractId = contract.ContractId, Reason = "ended" },
            Tokens.As(Roles.FinanceClerk));
        var terminated = await RefusedAsync(Usage(contract.ContractId, product.Sms, 1, now));
        foreach (var error in new[] { suspended, terminated })
        {
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Equal("ENTITLEMENT_NOT_ACTIVE", error.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        }

        Assert.Equal(before, await host.WrittenAsync());
        Assert.Equal(100m, await host.AvailableAsync(customer));
    }

    [Fact]
    public async Task Listing_charges_pages_by_keyset_and_refuses_a_bad_token()
    {
        var (_, product, contract) = await host.FundedContractAsync(months: 3, deposit: 100m);
        for (var i = 1; i <= 5; i++)
        {
            await host.Consumption.RecordUsageAsync(Usage(contract.ContractId, product.Sms, i, Commerce.Clock.GetUtcNow()), Tokens.As(Roles.Service));
        }

        var charges = await host.ChargesAsync(contract.ContractId); // pages of 2
        var badToken = await Assert.ThrowsAsync<RpcException>(async () => await host.Consumption.ListChargesAsync(
            new ListChargesRequest { ContractId = contract.ContractId, PageToken = "x" }, Tokens.As(Roles.FinanceClerk)));
        var reader = await Assert.ThrowsAsync<RpcException>(async () => await host.Consumption.ListChargesAsync(
            new ListChargesRequest { ContractId = contract.ContractId }, Tokens.As(Roles.SalesRep)));

        Assert.Equal([1, 2, 3, 4, 5], charges.Select(c => c.Quantity).Order());
        Assert.Equal(5, charges.Select(c => c.ChargeId).Distinct().Count());
        Assert.Equal("page_token", badToken.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);
    }
}
