using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Data;
using Platform.Tests.Payment.Recording;
using Proto = Platform.Contracts.Payment.V1;

namespace Platform.Tests.Payment.Checks;

/// <summary>
/// The recording fixture's customer and billing addresses lead nowhere: the services are down. Money coming in is
/// recorded all the same, the audit says the payer was not verified, and nothing is remembered as known.
/// </summary>
public sealed class OutageTests(RecordingHost host) : IClassFixture<RecordingHost>
{
    [Fact]
    public async Task With_the_customer_and_billing_services_down_a_payment_is_recorded_unverified_and_announced()
    {
        var customer = Guid.CreateVersion7();
        var request = RecordingHost.Cash(customer.ToString(), 250m);
        request.InvoiceIds.Add(Guid.CreateVersion7().ToString());

        var payment = await host.RecordAsync(request);

        Assert.Equal(Proto.PaymentState.Received, payment.State);
        Assert.Single(await host.OutboxAsync("PaymentReceived", payment.PaymentId));
        var audit = await host.Payment.QueryAsync<PaymentDb, string>(db =>
            db.Set<AuditEntry>().Where(a => a.Subject == "payments/" + payment.PaymentId).Select(a => a.Details).SingleAsync());
        Assert.True(System.Text.Json.JsonDocument.Parse(audit).RootElement.GetProperty("payerUnverified").GetBoolean());
        Assert.False(await host.Payment.QueryAsync<PaymentDb, bool>(db => db.Set<KnownCustomer>().AnyAsync(c => c.CustomerId == customer)));
    }
}
