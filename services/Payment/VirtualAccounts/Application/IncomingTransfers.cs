using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Privacy;
using Platform.Payment.Application;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Recording.Application;

namespace Platform.Payment.VirtualAccounts.Application;

/// <summary>A transfer the bank booked into one of the company's virtual accounts.</summary>
public sealed record IncomingTransfer(string VirtualAccountNumber, decimal Amount, string Reference, string? PayerName, string? PayerAccount,
    DateTimeOffset BookedAt);

/// <summary>
/// Books the bank's incoming transfers: the virtual account number says whose money it is, so a known number is the
/// customer's received payment at once (the survivor's, when that customer was merged away); an unknown number, or the
/// account of an erased customer, waits in suspense for a person to match it.
/// </summary>
public sealed class IncomingTransfers(PaymentDb db, VirtualAccountBook accounts, PaymentRecorder recorder, AuditTrail audit, PiiProtector pii,
    IOptions<RecordingOptions> options, TimeProvider clock)
{
    public async Task<Payment.Domain.Payment> RecordAsync(IncomingTransfer transfer, string actor, CancellationToken ct)
    {
        var owner = await accounts.OwnerOfAsync(transfer.VirtualAccountNumber, ct);
        var (customerId, diverted) = await PayeeAsync(owner, ct);
        var now = clock.GetUtcNow();
        var payment = new Payment.Domain.Payment
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            Method = PaymentMethod.VirtualAccount,
            State = customerId is null ? PaymentState.Unidentified : PaymentState.Received,
            Amount = transfer.Amount,
            Currency = options.Value.Currency,
            Reference = transfer.Reference,
            Collector = actor,
            ReceivedAt = transfer.BookedAt,
            VirtualAccountNumber = transfer.VirtualAccountNumber,
            PayerNameProtected = transfer.PayerName is { } name ? pii.Protect(name) : null,
            PayerAccountProtected = transfer.PayerAccount is { } account ? pii.Protect(account) : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        recorder.Add(payment);
        audit.Record(actor, customerId is null ? "payment.suspense" : "payment.incoming_transfer", $"payments/{payment.Id}", customerId, new
        {
            virtualAccountNumber = transfer.VirtualAccountNumber,
            amount = payment.Amount,
            payment.Currency,
            payment.Reference,
            accountOwner = owner == customerId ? null : owner,
            diverted,
        });
        await db.SaveChangesAsync(ct);
        return payment;
    }

    /// <summary>
    /// Whose money it is, by payment's view of the account's owner: the survivor when the owner was merged away (its
    /// account numbers still arrive on old remittances); nobody, in suspense for a person, when the owner was erased,
    /// since nothing new is recorded for an erased customer. An owner the view does not know yet keeps the money.
    /// </summary>
    private async Task<(Guid? CustomerId, string? Diverted)> PayeeAsync(Guid? owner, CancellationToken ct)
    {
        var customerId = owner;
        for (var hops = 0; customerId is { } id && hops < 8; hops++)
        {
            var known = await db.Set<KnownCustomer>().AsNoTracking().SingleOrDefaultAsync(c => c.CustomerId == id, ct);
            if (known is { Standing: CustomerStanding.Erased })
            {
                return (null, "the account's customer was erased");
            }

            if (known is not { Standing: CustomerStanding.Merged, MergedIntoId: { } survivor })
            {
                break;
            }

            customerId = survivor;
        }

        return (customerId, customerId == owner ? null : $"the account's customer was merged into {customerId}");
    }
}
