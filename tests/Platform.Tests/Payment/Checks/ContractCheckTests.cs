using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Customer.V1;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Billing.Commerce;
using static Platform.Tests.Payment.Checks.ChecksHost;
using Proto = Platform.Contracts.Payment.V1;

namespace Platform.Tests.Payment.Checks;

/// <summary>A payment (or payment intent) is a deposit only for a contract billing knows and the payer (or a customer merged into it) signed.</summary>
public sealed class ContractCheckTests(ChecksHost host) : IClassFixture<ChecksHost>
{
    private static CallOptions Clerk => Tokens.As(Roles.FinanceClerk);

    private async Task<string> SignedContractAsync(Guid customer)
    {
        var (setup, _) = await host.Collections.Commerce.NewProductAsync();
        var terms = CommerceHost.Terms(host.Collections.Clock.GetUtcNow());
        return (await host.Collections.Commerce.SignedContractAsync(customer.ToString(), terms, 12, (setup, 1))).ContractId;
    }

    private static Proto.RecordPaymentRequest Deposit(Guid customer, string contractId)
    {
        var request = Cash(customer, 500m);
        request.ContractId = contractId;
        return request;
    }

    private Task<Proto.PaymentIntent> IntentAsync(Guid customer, string contractId) =>
        new Proto.PaymentIntents.PaymentIntentsClient(host.Collections.Payment.Channel).CreatePaymentIntentAsync(new Proto.CreatePaymentIntentRequest
        {
            RequestId = Id(), CustomerId = customer.ToString(), Amount = 50m.ToMoney("CNY"), Method = Proto.WalletMethod.Alipay, ContractId = contractId,
        }, Clerk).ResponseAsync;

    private static string Reason(RpcException e) => e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason;

    [Fact]
    public async Task A_contract_of_another_customer_or_unknown_to_billing_is_refused_naming_contract_id_and_nothing_is_written()
    {
        var signer = await host.RegisteredAsync();
        var stranger = await host.RegisteredAsync();
        var contract = await SignedContractAsync(signer);

        var before = await host.CountsAsync();
        foreach (var (call, reason) in new (Func<Task>, string)[]
        {
            (() => host.Payments.RecordPaymentAsync(Deposit(stranger, contract), Clerk).ResponseAsync, "CONTRACT_OF_ANOTHER_CUSTOMER"),
            (() => IntentAsync(stranger, contract), "CONTRACT_OF_ANOTHER_CUSTOMER"),
            (() => host.Payments.RecordPaymentAsync(Deposit(signer, Guid.CreateVersion7().ToString()), Clerk).ResponseAsync, "CONTRACT_NOT_FOUND"),
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Equal(["contract_id"], Fields(refused));
            Assert.Equal(reason, Reason(refused));
        }

        Assert.Equal(before, await host.CountsAsync());

        var paid = await host.Payments.RecordPaymentAsync(Deposit(signer, contract), Clerk);
        Assert.Equal((Proto.PaymentState.Received, contract), (paid.State, paid.ContractId));
        Assert.Equal(contract, (await IntentAsync(signer, contract)).ContractId);
    }

    [Fact]
    public async Task A_contract_once_asked_about_is_checked_from_memory_and_one_never_seen_is_taken_as_named_while_billing_is_down()
    {
        var signer = await host.RegisteredAsync();
        var stranger = await host.RegisteredAsync();
        var seen = await SignedContractAsync(signer);
        var unseen = await SignedContractAsync(signer);
        await host.Payments.RecordPaymentAsync(Deposit(signer, seen), Clerk);
        var remembered = await host.Collections.Payment.QueryAsync<PaymentDb, KnownContract?>(db =>
            db.Set<KnownContract>().AsNoTracking().SingleOrDefaultAsync(c => c.ContractId == Guid.Parse(seen)));
        Assert.Equal(signer, remembered?.CustomerId);

        host.BillingContractsDown = true;
        try
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await host.Payments.RecordPaymentAsync(Deposit(stranger, seen), Clerk));
            Assert.Equal(["contract_id"], Fields(refused));
            Assert.Equal(Proto.PaymentState.Received, (await host.Payments.RecordPaymentAsync(Deposit(signer, seen), Clerk)).State);

            // Money is not turned away because billing is down; billing itself gives it no stranger's terms (ContractDepositTests).
            var taken = await host.Payments.RecordPaymentAsync(Deposit(stranger, unseen), Clerk);
            Assert.Equal((Proto.PaymentState.Received, unseen), (taken.State, taken.ContractId));
        }
        finally
        {
            host.BillingContractsDown = false;
        }

        Assert.False(await host.Collections.Payment.QueryAsync<PaymentDb, bool>(db => db.Set<KnownContract>().AnyAsync(c => c.ContractId == Guid.Parse(unseen))));
        var nowRefused = await Assert.ThrowsAsync<RpcException>(async () => await host.Payments.RecordPaymentAsync(Deposit(stranger, unseen), Clerk));
        Assert.Equal("CONTRACT_OF_ANOTHER_CUSTOMER", Reason(nowRefused));
    }

    [Fact]
    public async Task The_survivor_of_a_merge_pays_a_contract_the_merged_customer_signed_and_an_invoice_issued_to_it()
    {
        var survivor = await host.RegisteredAsync();
        var merged = await host.RegisteredAsync();
        var stranger = await host.RegisteredAsync();
        var contract = await SignedContractAsync(merged);
        await host.MergedAsync(survivor, merged);

        var paid = await host.Payments.RecordPaymentAsync(Deposit(survivor, contract), Clerk);
        Assert.Equal((Proto.PaymentState.Received, contract), (paid.State, paid.ContractId));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await host.Payments.RecordPaymentAsync(Deposit(stranger, contract), Clerk));
        Assert.Equal("CONTRACT_OF_ANOTHER_CUSTOMER", Reason(refused));

        // An invoice billing issued to the merged id (payment's view has not seen it, so billing is asked).
        var invoice = await host.IssuedInvoiceAsync(merged, 120m, host.Collections.Clock.GetUtcNow().AddDays(10));
        Assert.Equal(Proto.PaymentState.Received, (await host.Payments.RecordPaymentAsync(Cash(survivor, 120m, invoice.InvoiceId), Clerk)).State);
        var strangers = await Assert.ThrowsAsync<RpcException>(async () => await host.Payments.RecordPaymentAsync(Cash(stranger, 120m, invoice.InvoiceId), Clerk));
        Assert.Equal(["invoice_ids[0]"], Fields(strangers));
    }
}
