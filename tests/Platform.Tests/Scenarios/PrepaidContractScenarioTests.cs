using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using MassTransit;
using Npgsql;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Scenarios;

/// <summary>
/// A milestone contract from first contact to refund across the real processes: customer and billing services
/// started by the AppHost's orchestration, events over RabbitMQ. Payment's events are published on the bus as the
/// payment service would (it is not built yet); what billing announces is watched on the bus.
/// </summary>
[Collection(nameof(WholeSystemCollection))]
public sealed class PrepaidContractScenarioTests(WholeSystem system) : IClassFixture<WholeSystem>
{
    private static string Id() => Guid.NewGuid().ToString();

    [Fact]
    public async Task Quote_sign_deposit_hold_release_low_balance_and_refund()
    {
        var announced = new ConcurrentQueue<object>();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(system.App.GetConnectionString("messaging")));
            cfg.ReceiveEndpoint("scenario-" + Guid.NewGuid().ToString("N")[..8], e =>
            {
                e.AutoDelete = true;
                e.Handler<PrepaidBalanceLow>(c => { announced.Enqueue(c.Message); return Task.CompletedTask; });
                e.Handler<RefundApproved>(c => { announced.Enqueue(c.Message); return Task.CompletedTask; });
                e.Handler<ContractSigned>(c => { announced.Enqueue(c.Message); return Task.CompletedTask; });
            });
        });
        await bus.StartAsync();
        try
        {
            await RunAsync(bus, announced);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private async Task RunAsync(IBusControl bus, ConcurrentQueue<object> announced)
    {
        var customers = new Customers.CustomersClient(system.Channel("customer"));
        var billing = system.Channel("billing");
        var catalog = new Catalog.CatalogClient(billing);
        var quotes = new Quotes.QuotesClient(billing);
        var contracts = new Platform.Contracts.Billing.V1.Contracts.ContractsClient(billing);
        var ledger = new Ledger.LedgerClient(billing);
        var holds = new Holds.HoldsClient(billing);
        var refunds = new Refunds.RefundsClient(billing);
        // Fresh call options (and deadline) for each call: the scenario as a whole may well outlast one deadline.
        Grpc.Core.CallOptions Clerk() => system.AsUser("li.na", Roles.FinanceClerk);
        Grpc.Core.CallOptions Approver() => system.AsUser("zhou.min", Roles.FinanceApprover);

        // 1. Sales registers the customer; billing opens its prepaid account from CustomerRegistered.
        var customer = await customers.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Id(), Kind = CustomerKind.Organization, DisplayName = "Suzhou Lakeside Training Co.", Email = $"{Guid.NewGuid():N}@lakeside.example.cn",
        }, system.As(Roles.SalesRep));
        await Eventually.Until(
            async () => await new PrepaidAccounts.PrepaidAccountsClient(billing).GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customer.CustomerId }, Clerk()),
            b => b.State == AccountState.Open, what: "billing to open the prepaid account");

        // 2. A quote with the new-customer discount.
        var tag = Guid.NewGuid().ToString("N")[..8];
        var product = new CreateProductRequest { RequestId = Id(), Code = "lms-" + tag, Name = "Learning platform " + tag };
        product.FeeItems.Add(new FeeItem { Code = $"lms-{tag}.setup", Name = "Onboarding", Kind = FeeKind.OneTime });
        product.FeeItems.Add(new FeeItem { Code = $"lms-{tag}.seat", Name = "Seat per month", Kind = FeeKind.RecurringMonthly });
        await catalog.CreateProductAsync(product, system.As(Roles.Administrator));
        var prices = new SchedulePriceChangeRequest { RequestId = Id(), EffectiveTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
        prices.Entries.Add(new PriceEntry { FeeItemCode = $"lms-{tag}.setup", UnitPrice = 1000m.ToMoney("CNY") });
        prices.Entries.Add(new PriceEntry { FeeItemCode = $"lms-{tag}.seat", UnitPrice = 100m.ToMoney("CNY") });
        await catalog.SchedulePriceChangeAsync(prices, system.As(Roles.Administrator));
        var quoteRequest = new CreateQuoteRequest { RequestId = Id(), CustomerId = customer.CustomerId, TermMonths = 3 };
        quoteRequest.Items.Add(new ItemRequest { FeeItemCode = $"lms-{tag}.setup", Quantity = 1 });
        quoteRequest.Items.Add(new ItemRequest { FeeItemCode = $"lms-{tag}.seat", Quantity = 2 });
        var quote = await quotes.CreateQuoteAsync(quoteRequest, system.As(Roles.SalesRep));
        Assert.NotEmpty(quote.Discounts);
        var total = quote.Total.ToDecimal();
        Assert.Equal(quote.Subtotal.ToDecimal() - quote.DiscountTotal.ToDecimal(), total);

        // 3. A milestone contract, signed by both parties: the prospect becomes a customer.
        var phaseOne = decimal.Round(total / 2, 2);
        var terms = new ContractTerms
        {
            StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Payment = new PaymentTerms
            {
                Mode = PaymentMode.Milestones,
                Steps =
                {
                    new PaymentStep { Name = "phase 1: rollout", DueTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)), Amount = phaseOne.ToMoney("CNY") },
                    new PaymentStep { Name = "phase 2: training", DueTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(60)), Amount = (total - phaseOne).ToMoney("CNY") },
                },
            },
            RefundPolicy = new RefundPolicy { Basis = RefundBasis.Consumption, HandlingFeeBasisPoints = 0 },
            PrepaidValidityMonths = 12,
            LateTerms = new LateTerms { GraceDays = 10 },
        };
        var draft = await contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = terms }, system.As(Roles.SalesRep));
        await contracts.SignContractAsync(new SignContractRequest { RequestId = Id(), ContractId = draft.ContractId, Party = SignatureParty.Customer, SignerName = "Qian Hui" }, system.As(Roles.SalesRep));
        var signed = await contracts.SignContractAsync(new SignContractRequest { RequestId = Id(), ContractId = draft.ContractId, Party = SignatureParty.Company, SignerName = "Sun Jie" }, system.As(Roles.SalesManager));
        Assert.Equal(ContractState.Signed, signed.State);
        await Eventually.Until(() => Task.FromResult(announced.OfType<ContractSigned>().Any(c => c.ContractId.ToString() == signed.ContractId)), seen => seen,
            what: "ContractSigned on the bus");
        await Eventually.Until(
            async () => await customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, system.As(Roles.SalesRep)),
            c => c.LifecycleStage == LifecycleStage.Customer, what: "the customer service to make the prospect a customer");

        // 4. The payment arrives (as the payment service will publish it) and is deposited.
        var payment = new PaymentReceived(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.CreateVersion7(), Guid.Parse(customer.CustomerId), total, "CNY",
            "bank_transfer", DateTimeOffset.UtcNow, Guid.Parse(signed.ContractId));
        await bus.Publish(payment, c => c.MessageId = payment.EventId);
        await Eventually.Until(() => AvailableAsync(ledger, customer.CustomerId, Clerk()), a => a == total, what: "the deposit");

        // 5. Phase 1 is held, accepted and released as revenue by an approver.
        var hold = await holds.HoldFundsAsync(new HoldFundsRequest
        {
            RequestId = Id(), CustomerId = customer.CustomerId, ContractId = signed.ContractId, Milestone = "phase 1: rollout", Amount = phaseOne.ToMoney("CNY"),
        }, Clerk());
        var released = await holds.ReleaseHoldAsync(new ReleaseHoldRequest { RequestId = Id(), HoldId = hold.HoldId, AcceptanceNote = "rollout accepted on site" }, Approver());
        Assert.Equal(HoldState.Released, released.State);

        // 6. Usage brings the balance under the low-balance threshold: billing says so, once.
        var left = total - phaseOne;
        await ledger.TransferAsync(new TransferRequest
        {
            TransferId = Id(), CustomerId = customer.CustomerId, Code = "prepaid.consumed", Reference = "training sessions",
            Legs = { new TransferLeg { From = LedgerAccount.PrepaidCash, To = LedgerAccount.Revenue, Amount = (left - 60m).ToMoney("CNY") } },
        }, system.As(Roles.Service));
        var low = Assert.IsType<PrepaidBalanceLow>(await Eventually.Until(
            () => Task.FromResult(announced.FirstOrDefault(e => e is PrepaidBalanceLow l && l.CustomerId.ToString() == customer.CustomerId)), e => e is not null,
            what: "PrepaidBalanceLow on the bus"));
        Assert.Equal(60m, low.Available);

        // 7. A refund of what is left: requested by one person, approved by another, paid out by payment.
        var refund = await refunds.RequestRefundAsync(new RequestRefundRequest
        {
            RequestId = Id(), CustomerId = customer.CustomerId, Amount = 60m.ToMoney("CNY"), Reason = "training ended early",
        }, Clerk());
        await refunds.ApproveRefundAsync(new DecideRefundRequest { RequestId = Id(), RefundId = refund.RefundId }, Approver());
        await Eventually.Until(() => Task.FromResult(announced.OfType<RefundApproved>().Any(r => r.RefundId.ToString() == refund.RefundId)), seen => seen,
            what: "RefundApproved on the bus");
        var paid = new RefundPaid(Guid.CreateVersion7(), DateTimeOffset.UtcNow, Guid.Parse(refund.RefundId), Guid.Parse(customer.CustomerId), 60m, "CNY");
        await bus.Publish(paid, c => c.MessageId = paid.EventId);
        await Eventually.Until(async () => await refunds.GetRefundAsync(new GetRefundRequest { RefundId = refund.RefundId }, Clerk()),
            r => r.State == RefundState.Paid, what: "the refund to be paid");

        Assert.Equal(0m, await AvailableAsync(ledger, customer.CustomerId, Clerk()));
        var check = await ledger.CheckLedgerAsync(new CheckLedgerRequest { CustomerId = customer.CustomerId }, Clerk());
        Assert.True(check.Sound, string.Join("\n", check.Violations));
        // Once per crossing: billing queued no second PrepaidBalanceLow for the refund that emptied the balance (the
        // event is queued in the transaction of the transfer that crosses, so its outbox says it now, not in a while).
        Assert.Equal(1, await BillingAnnouncedAsync<PrepaidBalanceLow>(customer.CustomerId));
        Assert.Single(announced, e => e is PrepaidBalanceLow l && l.CustomerId.ToString() == customer.CustomerId);
    }

    /// <summary>Events of one type about <paramref name="customerId"/> that billing queued in its outbox.</summary>
    private async Task<long> BillingAnnouncedAsync<T>(string customerId)
    {
        await using var db = new NpgsqlConnection(system.App.GetConnectionString("billingdb"));
        await db.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM outbox_messages WHERE message_type = @type AND payload->>'customerId' = @customer", db);
        count.Parameters.AddWithValue("type", typeof(T).FullName!);
        count.Parameters.AddWithValue("customer", customerId);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<decimal> AvailableAsync(Ledger.LedgerClient ledger, string customerId, Grpc.Core.CallOptions call) =>
        (await ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId }, call)).Available.ToDecimal();
}
