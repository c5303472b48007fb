using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Commerce.Grpc.CommerceMapping;
using Domain = Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Grpc;

public sealed class InvoicesApi(InvoiceService invoices, IdempotentRequests<BillingDb> idempotent, IOptions<CommerceOptions> options)
    : Invoices.InvoicesBase
{
    private const string InvoiceReaders = $"{Finance},{Sales},{Roles.SupportAgent},{Roles.SupportSupervisor},{Roles.Administrator},{Roles.Service}";

    [Authorize(Roles = Finance)]
    public override async Task<Invoice> CreateInvoice(CreateInvoiceRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var contractId = check.OptionalGuid(request.ContractId, "contract_id");
        check.RequireLength(request.Description, "description", 1, 500);
        var amount = check.Amount(request.Amount, "amount", options.Value.Currency, positive: true);
        var due = check.RequireTime(request.DueTime, "due_time");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await invoices.CreateAsync(
            new NewInvoice(customerId, contractId, request.Description, amount, due!.Value), ct)), context.CancellationToken);
    }

    [Authorize(Roles = Finance)]
    public override async Task<Invoice> IssueInvoice(IssueInvoiceRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.InvoiceId, "invoice_id");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await invoices.IssueAsync(id, ct)), context.CancellationToken);
    }

    [Authorize(Roles = Finance)]
    public override async Task<Invoice> VoidInvoice(VoidInvoiceRequest request, ServerCallContext context)
    {
        var (id, reason) = Closing(request.RequestId, request.InvoiceId, request.Reason);
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await invoices.VoidAsync(id, reason, ct)), context.CancellationToken);
    }

    // Payment's collections marks the invoice of a case finance wrote off (service identity).
    [Authorize(Roles = $"{Roles.FinanceApprover},{Roles.Service}")]
    public override async Task<Invoice> MarkInvoiceUncollectible(MarkInvoiceUncollectibleRequest request, ServerCallContext context)
    {
        var (id, reason) = Closing(request.RequestId, request.InvoiceId, request.Reason);
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct => ToProto(await invoices.MarkUncollectibleAsync(id, reason, ct)), context.CancellationToken);
    }

    [Authorize(Roles = InvoiceReaders)]
    public override async Task<Invoice> GetInvoice(GetInvoiceRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.InvoiceId, "invoice_id");
        check.ThrowIfInvalid();
        return ToProto(await invoices.GetAsync(id, context.CancellationToken));
    }

    [Authorize(Roles = InvoiceReaders)]
    public override async Task<ListInvoicesResponse> ListInvoices(ListInvoicesRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customerId = check.RequireGuid(request.CustomerId, "customer_id");
        var contractId = check.OptionalGuid(request.ContractId, "contract_id");
        var after = check.OptionalGuid(request.PageToken, "page_token");
        check.Require(request.PageSize is >= 0 and <= 500, "page_size", "must be 0-500");
        check.ThrowIfInvalid();
        var (page, next) = await invoices.ListAsync(customerId, contractId, request.PageSize == 0 ? 50 : request.PageSize, after, context.CancellationToken);
        var answer = new ListInvoicesResponse { NextPageToken = next?.ToString() ?? "" };
        answer.Invoices.AddRange(page.Select(ToProto));
        return answer;
    }

    [Authorize(Roles = InvoiceReaders)]
    public override async Task<Receipt> GetReceipt(GetReceiptRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var receiptId = check.OptionalGuid(request.ReceiptId, "receipt_id");
        var paymentId = check.OptionalGuid(request.PaymentId, "payment_id");
        check.Require((receiptId is null) != (paymentId is null), "receipt_id", "give exactly one of receipt_id and payment_id");
        check.ThrowIfInvalid();
        var r = await invoices.ReceiptAsync(receiptId, paymentId, context.CancellationToken);
        var answer = new Receipt
        {
            ReceiptId = r.Id.ToString(),
            Number = r.Number,
            CustomerId = r.CustomerId.ToString(),
            PaymentId = r.PaymentId.ToString(),
            Amount = Money(r.Amount, r.Currency),
            Unallocated = Money(r.Unallocated, r.Currency),
            IssueTime = Ts(r.IssuedAt),
        };
        answer.Allocations.AddRange(r.Allocations.Select(a => new ReceiptAllocation { InvoiceId = a.InvoiceId.ToString(), Amount = Money(a.Amount, r.Currency) }));
        return answer;
    }

    private static (Guid, string) Closing(string requestId, string invoiceId, string reason)
    {
        var check = new Validator();
        check.RequestId(requestId);
        var id = check.RequireGuid(invoiceId, "invoice_id");
        check.RequireLength(reason.Trim(), "reason", 1, 500);
        check.ThrowIfInvalid();
        return (id, reason.Trim());
    }

    private static Invoice ToProto(Domain.Invoice i) => new()
    {
        InvoiceId = i.Id.ToString(),
        Number = i.Number ?? "",
        CustomerId = i.CustomerId.ToString(),
        ContractId = i.ContractId?.ToString() ?? "",
        InstallmentSequence = i.InstallmentSequence,
        Description = i.Description,
        Amount = Money(i.Amount, i.Currency),
        AmountPaid = Money(i.AmountPaid, i.Currency),
        State = (InvoiceState)(int)i.State,
        DueTime = Ts(i.DueDate),
        IssueTime = Ts(i.IssuedAt),
        CreateTime = Ts(i.CreatedAt),
    };
}
