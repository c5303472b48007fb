using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Events;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Payment.Checks.ChecksHost;
using PaymentState = Platform.Payment.Domain.PaymentState;
using Proto = Platform.Contracts.Payment.V1;
using WorkItem = Platform.Payment.Exceptions.Domain.WorkItem;
using WorkItemKind = Platform.Payment.Exceptions.Domain.WorkItemKind;

namespace Platform.Tests.Payment.Checks;

/// <summary>
/// A payer the re-check finds is not a customer: the payment goes back to suspense and its announcement is taken back;
/// a manual match announces it again (the next generation). Payment's own events are then fed to a real billing, as the
/// relay would deliver them (the old announcement twice), to show where the money ends up.
/// </summary>
public sealed class SuspenseReversalTests(ChecksHost host) : IClassFixture<ChecksHost>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<List<T>> OutboxAsync<T>(Guid paymentId) where T : class
    {
        var payloads = await host.Collections.Payment.QueryAsync<PaymentDb, List<string>>(db => db.Set<OutboxMessage>()
            .Where(m => m.MessageType == "Platform.Contracts.Events." + typeof(T).Name).OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync());
        return payloads.Select(p => JsonSerializer.Deserialize<T>(p, Json)!)
            .Where(e => JsonSerializer.SerializeToElement(e, Json).GetProperty("paymentId").GetGuid() == paymentId).ToList();
    }

    private async Task<decimal> AvailableAsync(Guid customerId) =>
        (await host.Collections.Commerce.Ledger.GetLedgerBalancesAsync(new GetLedgerBalancesRequest { CustomerId = customerId.ToString() },
            Tokens.As(Roles.Service))).Available.ToDecimal();

    private async Task AssertSoundAsync(Guid customerId)
    {
        var check = await host.Collections.Commerce.Ledger.CheckLedgerAsync(new CheckLedgerRequest { CustomerId = customerId.ToString() }, Tokens.As(Roles.Service));
        Assert.True(check.Sound, string.Join("\n", check.Violations));
    }

    private Task<bool> BillingConsumedAsync(Guid messageId) => host.Collections.Commerce.Billing.QueryAsync<Platform.Billing.Data.BillingDb, bool>(db =>
        db.Set<InboxMessage>().AnyAsync(m => m.MessageId == messageId));

    [Fact]
    public async Task A_payer_found_not_to_be_a_customer_goes_back_to_suspense_and_the_match_deposits_once_for_the_right_customer()
    {
        var customer = await host.RegisteredAsync();
        var stranger = Guid.CreateVersion7();
        Proto.Payment taken;
        host.CustomerServiceDown = true;
        try
        {
            taken = await host.Payments.RecordPaymentAsync(Cash(stranger, 70m), Tokens.As(Roles.FinanceClerk));
        }
        finally
        {
            host.CustomerServiceDown = false;
        }

        var paymentId = Guid.Parse(taken.PaymentId);
        Assert.NotNull(await host.Collections.Payment.Services.GetRequiredService<Platform.Payment.Checks.Jobs.PayerRecheckJob>().RunOnceAsync(CancellationToken.None));

        var inSuspense = await host.Payments.GetPaymentAsync(new Proto.GetPaymentRequest { PaymentId = taken.PaymentId }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal((Proto.PaymentState.Unidentified, ""), (inSuspense.State, inSuspense.CustomerId));
        var reversal = Assert.Single(await OutboxAsync<PaymentReversed>(paymentId));
        Assert.Equal((stranger, 70m, 0, PaymentReversed.PayerNotACustomer), (reversal.CustomerId, reversal.Amount, reversal.Generation, reversal.Reason));
        var item = Assert.Single(await host.Collections.Payment.QueryAsync<PaymentDb, List<WorkItem>>(db =>
            db.Set<WorkItem>().AsNoTracking().Where(w => w.PaymentId == paymentId).ToListAsync()));
        Assert.Equal((WorkItemKind.UnidentifiedPayer, true), (item.Kind, item.IsOpen));

        var matched = await new Proto.PaymentExceptions.PaymentExceptionsClient(host.Collections.Payment.Channel).MatchPaymentAsync(
            new Proto.MatchPaymentRequest { RequestId = Id(), PaymentId = taken.PaymentId, CustomerId = customer.ToString(), Note = "bank slip names Han Meimei" },
            Tokens.As(Roles.FinanceClerk));
        Assert.Equal((Proto.PaymentState.Received, customer.ToString()), (matched.State, matched.CustomerId));
        var announcements = await OutboxAsync<PaymentReceived>(paymentId);
        Assert.Equal(new[] { (stranger, 0), (customer, 1) }, announcements.Select(a => (a.CustomerId, a.Generation)));
        Assert.Equal(1, await host.Collections.Payment.QueryAsync<PaymentDb, int>(db => db.Payments.Where(p => p.Id == paymentId).Select(p => p.Generation).SingleAsync()));
        Assert.Equal(PaymentState.Received, await host.Collections.Payment.QueryAsync<PaymentDb, PaymentState>(db =>
            db.Payments.Where(p => p.Id == paymentId).Select(p => p.State).SingleAsync()));

        // Billing gets payment's events in order, then the first announcement again (redelivered).
        var billing = host.Collections.Commerce;
        await billing.PublishAsync(announcements[0]);
        await Eventually.Until(() => BillingConsumedAsync(announcements[0].EventId), done => done, what: "the first announcement");
        Assert.Equal(70m, await AvailableAsync(stranger));
        await billing.PublishAsync(reversal);
        await billing.PublishAsync(announcements[1]);
        await Eventually.Until(() => BillingConsumedAsync(announcements[1].EventId), done => done, what: "the second announcement");
        await Eventually.Until(() => BillingConsumedAsync(reversal.EventId), done => done, what: "the reversal");
        await billing.PublishAsync(announcements[0]);
        var republished = announcements[0] with { EventId = Guid.CreateVersion7() };
        await billing.PublishAsync(republished);
        await Eventually.Until(() => BillingConsumedAsync(republished.EventId), done => done, what: "the re-published first announcement");

        Assert.Equal((0m, 70m), (await AvailableAsync(stranger), await AvailableAsync(customer)));
        await AssertSoundAsync(stranger);
        await AssertSoundAsync(customer);
    }
}
