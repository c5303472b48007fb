using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Contracts.Billing.V1;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.Payment.Merges;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Checks.Application;

/// <summary>
/// Checks the invoices a payment names: each must be the payer's (or a customer's merged into the payer: its invoices
/// keep its id) and still take money. Payment's receivables view (billing's invoices as its events told them) answers
/// first; an invoice it does not know yet is asked of billing (<c>Invoices.GetInvoice</c>), which also knows void and
/// draft invoices. Every bad one is named (<c>invoice_ids[i]</c>) in one INVALID_ARGUMENT. When billing cannot answer,
/// the invoice is taken as named (billing allocates by its own rules when the payment reaches it): an outage never
/// turns money away.
/// </summary>
public sealed class InvoiceCheck(PaymentDb db, Invoices.InvoicesClient invoices, Survivors survivors, IOptions<ChecksOptions> options, ILogger<InvoiceCheck> log)
{
    public async Task EnsureAsync(Guid customerId, IReadOnlyList<Guid> invoiceIds, string field, CancellationToken ct)
    {
        if (invoiceIds.Count == 0)
        {
            return;
        }

        var known = await db.Set<Receivable>().AsNoTracking().Where(r => invoiceIds.Contains(r.InvoiceId))
            .ToDictionaryAsync(r => r.InvoiceId, ct);
        var check = new Validator();
        for (var i = 0; i < invoiceIds.Count; i++)
        {
            var id = invoiceIds[i];
            var problem = known.TryGetValue(id, out var invoice)
                ? await ProblemAsync(customerId, invoice.CustomerId, invoice.VoidedAt is not null ? "void" : invoice.PaidAt is not null || invoice.AmountDue <= 0 ? "paid" : null, invoice.InvoiceNumber, ct)
                : await AskAsync(customerId, id, ct);
            check.Require(problem is null, $"{field}[{i}]", problem ?? "");
        }

        check.ThrowIfInvalid();
    }

    private async Task<string?> AskAsync(Guid customerId, Guid invoiceId, CancellationToken ct)
    {
        var (invoice, notFound) = await ServiceLookup.AskAsync(deadline => invoices.GetInvoiceAsync(
            new GetInvoiceRequest { InvoiceId = invoiceId.ToString() }, deadline: deadline, cancellationToken: ct), options.Value.LookupTimeout, log,
            "invoice", invoiceId, ct);
        if (invoice is null)
        {
            return notFound ? $"no invoice {invoiceId} is known to billing" : null; // no answer: taken as named
        }

        var closed = invoice.State switch
        {
            InvoiceState.Paid => "paid",
            InvoiceState.Void => "void",
            InvoiceState.Draft => "a draft, not issued",
            _ => null,
        };
        return await ProblemAsync(customerId, Guid.TryParse(invoice.CustomerId, out var owner) ? owner : Guid.Empty, closed, invoice.Number, ct);
    }

    /// <summary>What is wrong with paying the invoice, or null.</summary>
    private async Task<string?> ProblemAsync(Guid payer, Guid invoiceCustomer, string? closed, string number, CancellationToken ct) =>
        invoiceCustomer != payer && (invoiceCustomer == Guid.Empty || await survivors.OfAsync(invoiceCustomer, ct) != payer)
            ? $"invoice {number} is another customer's"
        : closed is not null ? $"invoice {number} is {closed} and takes no payment"
        : null;
}
