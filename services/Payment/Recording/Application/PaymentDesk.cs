using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Data;
using Platform.BuildingBlocks.Privacy;
using Platform.Payment.Application;
using Platform.Payment.Checks.Application;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Recording.Application;

/// <summary>
/// Recording payments by the people who take them, cheque clearing and bouncing, and reading the book. Each change is
/// audited in its own unit of work; money in is announced by <see cref="PaymentRecorder"/> only.
/// </summary>
public sealed class PaymentDesk(PaymentDb db, PaymentRecorder recorder, AuditTrail audit, PiiProtector pii, PayerCheck payers, InvoiceCheck invoices,
    ContractCheck contracts, IOptions<RecordingOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Stages a recorded payment, its announcement (when received) and its audit entry on the unit of work, once the
    /// payer and the invoices or contract it names check out (refusals name the field and stage nothing). A payer the customer
    /// service could not confirm during an outage is recorded all the same and the audit entry says so. The caller
    /// saves, in one SaveChanges with the idempotent answer (<c>IdempotentRequests.ExecuteStagedAsync</c>); the checks
    /// only read, and remember what the customer service confirmed.
    /// </summary>
    public async Task<Domain.Payment> StageAsync(NewPayment request, string actor, CancellationToken ct)
    {
        var payer = await payers.EnsureAsync(request.CustomerId, "customer_id", ct);
        await invoices.EnsureAsync(request.CustomerId, request.InvoiceIds, "invoice_ids", ct);
        await contracts.EnsureAsync(request.CustomerId, request.ContractId, "contract_id", ct);
        var now = clock.GetUtcNow();
        var failed = request.FailureReason is not null;
        var payment = new Domain.Payment
        {
            Id = Guid.CreateVersion7(),
            CustomerId = request.CustomerId,
            PayerUnverified = payer == PayerVerdict.Unverified,
            Method = request.Method,
            State = failed ? PaymentState.Failed
                : request.Method == PaymentMethod.Cheque ? PaymentState.Pending
                : PaymentState.Received,
            Amount = request.Amount,
            Currency = options.Value.Currency,
            Reference = request.Reference,
            Collector = request.Collector,
            ReceivedAt = request.ReceivedAt,
            ContractId = request.ContractId,
            InvoiceIds = [.. request.InvoiceIds],
            ChequeNumber = request.Details.ChequeNumber,
            DrawerBank = request.Details.DrawerBank,
            CardLast4 = request.Details.CardLast4,
            AuthorizationCode = request.Details.AuthorizationCode,
            WalletTransactionId = request.Details.WalletTransactionId,
            PayerNameProtected = Protect(request.Details.PayerName),
            PayerAccountProtected = Protect(request.Details.PayerAccount),
            FailureReason = request.FailureReason,
            CreatedAt = now,
            UpdatedAt = now,
        };
        recorder.Add(payment);
        audit.Record(actor, "payment.recorded", Subject(payment), payment.CustomerId, new
        {
            method = payment.Method.WireName(),
            state = payment.State.ToString(),
            amount = payment.Amount,
            payment.Currency,
            payment.Reference,
            payment.Collector,
            payment.ContractId,
            payment.InvoiceIds,
            payerUnverified = payment.PayerUnverified,
        });
        return payment;
    }

    public async Task<Domain.Payment> ClearChequeAsync(Guid paymentId, string actor, CancellationToken ct)
    {
        var payment = await LoadAsync(paymentId, ct);
        payment.EnsureClearable();
        recorder.MarkReceived(payment);
        audit.Record(actor, "payment.cheque_cleared", Subject(payment), payment.CustomerId, new { payment.ChequeNumber });
        await SaveAsync(ct);
        return payment;
    }

    public async Task<Domain.Payment> BounceChequeAsync(Guid paymentId, string reason, string actor, CancellationToken ct)
    {
        var payment = await LoadAsync(paymentId, ct);
        recorder.MarkBounced(payment, reason);
        audit.Record(actor, "payment.cheque_bounced", Subject(payment), payment.CustomerId, new { payment.ChequeNumber, reason });
        await SaveAsync(ct);
        return payment;
    }

    public async Task<Domain.Payment> GetAsync(Guid paymentId, CancellationToken ct) =>
        await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId, ct)
        ?? throw new NotFoundException("payment", paymentId.ToString());

    /// <summary>A page of payments, newest first (ids are time-ordered); the token is the last id seen.</summary>
    public async Task<(IReadOnlyList<Domain.Payment> Page, Guid? Next)> ListAsync(PaymentFilter filter, int pageSize, Guid? after, CancellationToken ct)
    {
        var query = db.Payments.AsNoTracking();
        if (filter.CustomerId is { } customerId)
        {
            query = query.Where(p => p.CustomerId == customerId);
        }

        if (filter.State is { } state)
        {
            query = query.Where(p => p.State == state);
        }

        if (filter.Method is { } method)
        {
            query = query.Where(p => p.Method == method);
        }

        return await query.NewestFirstAsync(p => p.Id, pageSize, after, ct);
    }

    private string? Protect(string? value) => string.IsNullOrEmpty(value) ? null : pii.Protect(value);

    private async Task<Domain.Payment> LoadAsync(Guid id, CancellationToken ct) =>
        await db.Payments.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("payment", id.ToString());

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("the payment changed meanwhile; read it again");
        }
    }

    internal static string Subject(Domain.Payment payment) => $"payments/{payment.Id}";
}
