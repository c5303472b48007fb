using Platform.BuildingBlocks.Money;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Billing.Commerce.Application;
using RefundQuote = Platform.Billing.Commerce.Domain.RefundQuote;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Billing.Commerce.CommerceHost;

namespace Platform.Tests.Billing.Commerce;

/// <summary>Quote → contract → signatures by both parties → immutable, amendments with their own signatures.</summary>
public sealed class ContractTests(CommerceHost host) : IClassFixture<CommerceHost>
{
    private static async Task<RpcException> Refused(Func<Task> call, StatusCode expected)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, e.StatusCode);
        return e;
    }

    private static IEnumerable<string> Fields(RpcException e) => e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field);

    [Fact]
    public async Task Quote_lists_every_discount_applied_volume_new_customer_and_coupon()
    {
        var (setup, seat) = await host.NewProductAsync();
        var customer = Id();
        var code = "WELCOME-" + Guid.NewGuid().ToString("N")[..6];
        await host.Catalog.CreateCouponAsync(new CreateCouponRequest
        {
            RequestId = Id(),
            Code = code,
            CustomerId = customer,
            PercentOff = 10,
            ValidUntil = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(30)),
        }, Tokens.As(Roles.Administrator));

        var request = new CreateQuoteRequest { RequestId = Id(), CustomerId = customer, TermMonths = 12, CouponCode = code };
        request.Items.Add(new ItemRequest { FeeItemCode = setup, Quantity = 1 });
        request.Items.Add(new ItemRequest { FeeItemCode = seat, Quantity = 10 });
        var quote = await host.Quotes.CreateQuoteAsync(request, Tokens.As(Roles.SalesRep));

        // Subtotal 1000 + 10 × 100 × 12 = 13000; volume 5% of 12000 = 600; new customer 5% of 12400 = 620; coupon 10% of 11780 = 1178.
        Assert.Equal(13000, quote.Subtotal.Units);
        Assert.Equal([(DiscountKind.Volume, 600L), (DiscountKind.NewCustomer, 620L), (DiscountKind.Coupon, 1178L)],
            quote.Discounts.Select(d => (d.Kind, d.Amount.Units)));
        Assert.Equal(10602, quote.Total.Units);
        Assert.Equal(quote, await host.Quotes.GetQuoteAsync(new GetQuoteRequest { QuoteId = quote.QuoteId }, Tokens.As(Roles.FinanceClerk)));
    }

    [Fact]
    public async Task Invalid_quote_names_each_field_and_stores_nothing()
    {
        var before = await host.CountsAsync();
        var request = new CreateQuoteRequest { RequestId = Id(), CustomerId = "nope", TermMonths = 0 };
        request.Items.Add(new ItemRequest { FeeItemCode = "no.such.fee", Quantity = 0 });

        var e = await Refused(async () => await host.Quotes.CreateQuoteAsync(request, Tokens.As(Roles.SalesRep)), StatusCode.InvalidArgument);

        Assert.Equal(["customer_id", "term_months", "items[0].quantity"], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task A_quote_whose_total_no_amount_can_hold_is_refused_naming_the_item_and_stores_nothing()
    {
        var (setup, seat) = await host.NewProductAsync(seatPrice: 100_000_000_000m); // a price an amount can hold
        var before = await host.CountsAsync();

        // 100,000 seats for 12 months: 1.2e20, beyond the 1e15 an amount can be.
        var e = await Refused(async () => await host.QuoteAsync(Id(), 12, (setup, 1), (seat, 100_000)), StatusCode.InvalidArgument);

        Assert.Equal(["items[1].quantity", "items"], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task Contract_signed_by_both_parties_gets_a_number_raises_ContractSigned_and_drafts_its_installments()
    {
        var (setup, seat) = await host.NewProductAsync();
        var customer = Id();
        var quote = await host.QuoteAsync(customer, 12, (setup, 1), (seat, 2));
        var start = host.Clock.GetUtcNow().AddDays(1);
        var terms = Terms(start, PaymentMode.Installments);
        var half = quote.Total.ToDecimal() / 2;
        terms.Payment.Steps.Add(new PaymentStep { Name = "first half", DueTime = Timestamp.FromDateTimeOffset(start), Amount = Cny(half) });
        terms.Payment.Steps.Add(new PaymentStep { Name = "second half", DueTime = Timestamp.FromDateTimeOffset(start.AddMonths(6)), Amount = Cny(quote.Total.ToDecimal() - half) });
        var draft = await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = terms }, Tokens.As(Roles.SalesRep));

        var afterCustomer = await host.Contracts.SignContractAsync(new SignContractRequest
        {
            RequestId = Id(),
            ContractId = draft.ContractId,
            Party = SignatureParty.Customer,
            SignerName = "Wang Fang",
        }, Tokens.As(Roles.SalesRep));
        var signed = await host.Contracts.SignContractAsync(new SignContractRequest
        {
            RequestId = Id(),
            ContractId = draft.ContractId,
            Party = SignatureParty.Company,
            SignerName = "Zhao Lei",
        }, Tokens.As(Roles.SalesManager));

        Assert.Equal((ContractState.Draft, ""), (afterCustomer.State, afterCustomer.Number));
        Assert.Equal(ContractState.Signed, signed.State);
        Assert.Matches(@"^CON-\d{4}-\d{6}$", signed.Number);
        Assert.Equal([SignatureParty.Customer, SignatureParty.Company], signed.Signatures.Select(s => s.Party));
        Assert.Equal(EntitlementState.Active, signed.Entitlement);
        Assert.Equal(quote.Total, signed.Total);
        Assert.Equal(quote.Items, signed.Items);

        var events = (await host.OutboxAsync("ContractSigned")).Select(p => JsonDocument.Parse(p).RootElement)
            .Where(e => e.GetProperty("contractId").GetString() == signed.ContractId).ToList();
        var evt = Assert.Single(events);
        Assert.Equal(signed.Number, evt.GetProperty("contractNumber").GetString());
        Assert.Equal("installments", evt.GetProperty("paymentMode").GetString());
        Assert.Equal(customer, evt.GetProperty("customerId").GetString());
        // The relay publishes it to the broker (with publisher confirms) and marks the row sent.
        var eventId = evt.GetProperty("eventId").GetGuid();
        await Eventually.Until(() => host.Billing.QueryAsync<BillingDb, DateTimeOffset?>(db => db.Set<OutboxMessage>().Where(m => m.Id == eventId).Select(m => m.SentAt).SingleAsync()),
            sent => sent is not null, what: "ContractSigned to be published");

        var invoices = await host.Invoices.ListInvoicesAsync(new ListInvoicesRequest { CustomerId = customer, ContractId = signed.ContractId }, Tokens.As(Roles.FinanceClerk));
        Assert.Equal([(1, InvoiceState.Draft), (2, InvoiceState.Draft)], invoices.Invoices.Select(i => (i.InstallmentSequence, i.State)).Order());
        Assert.Equal(quote.Total.ToDecimal(), invoices.Invoices.Sum(i => i.Amount.ToDecimal()));
    }

    [Fact]
    public async Task Signed_contract_refuses_updates_with_failed_precondition_and_stores_nothing()
    {
        var (setup, _) = await host.NewProductAsync();
        var signed = await host.SignedContractAsync(Id(), Terms(host.Clock.GetUtcNow()), 12, (setup, 1));
        var before = await host.CountsAsync();
        var update = new UpdateContractRequest
        {
            RequestId = Id(),
            ContractId = signed.ContractId,
            Etag = signed.Etag,
            Terms = Terms(host.Clock.GetUtcNow(), autoRenew: false),
            UpdateMask = new FieldMask { Paths = { "auto_renew" } },
        };

        var e = await Refused(async () => await host.Contracts.UpdateContractAsync(update, Tokens.As(Roles.SalesManager)), StatusCode.FailedPrecondition);
        var again = await Refused(async () => await host.Contracts.SignContractAsync(new SignContractRequest
        {
            RequestId = Id(),
            ContractId = signed.ContractId,
            Party = SignatureParty.Customer,
            SignerName = "Someone",
        }, Tokens.As(Roles.SalesRep)), StatusCode.FailedPrecondition);

        Assert.Equal("CONTRACT_SIGNED", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal("CONTRACT_SIGNED", again.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(before, await host.CountsAsync());
        Assert.True((await host.Contracts.GetContractAsync(new GetContractRequest { ContractId = signed.ContractId }, Tokens.As(Roles.SalesRep))).Terms.AutoRenew);
    }

    [Fact]
    public async Task Draft_terms_change_with_the_etag_and_a_stale_etag_is_aborted()
    {
        var (setup, _) = await host.NewProductAsync();
        var quote = await host.QuoteAsync(Id(), 12, (setup, 1));
        var draft = await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = Terms(host.Clock.GetUtcNow()) }, Tokens.As(Roles.SalesRep));
        var terms = Terms(host.Clock.GetUtcNow(), autoRenew: false);
        terms.LateTerms.GraceDays = 30;

        var updated = await host.Contracts.UpdateContractAsync(new UpdateContractRequest
        {
            RequestId = Id(),
            ContractId = draft.ContractId,
            Etag = draft.Etag,
            Terms = terms,
            UpdateMask = new FieldMask { Paths = { "late_terms" } },
        }, Tokens.As(Roles.SalesRep));
        await Refused(async () => await host.Contracts.UpdateContractAsync(new UpdateContractRequest
        {
            RequestId = Id(),
            ContractId = draft.ContractId,
            Etag = draft.Etag,
            Terms = terms,
            UpdateMask = new FieldMask { Paths = { "auto_renew" } },
        }, Tokens.As(Roles.SalesRep)), StatusCode.Aborted);

        Assert.Equal(30, updated.Terms.LateTerms.GraceDays);
        Assert.True(updated.Terms.AutoRenew);
        Assert.NotEqual(draft.Etag, updated.Etag);
    }

    [Fact]
    public async Task Invalid_contract_terms_name_each_field_and_store_nothing()
    {
        var (setup, _) = await host.NewProductAsync();
        var quote = await host.QuoteAsync(Id(), 12, (setup, 1));
        var before = await host.CountsAsync();
        var terms = Terms(host.Clock.GetUtcNow(), PaymentMode.Unspecified);
        terms.PrepaidValidityMonths = 0;
        terms.LateTerms.GraceDays = -1;

        var e = await Refused(async () => await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = terms },
            Tokens.As(Roles.SalesRep)), StatusCode.InvalidArgument);

        Assert.Equal(["terms.payment.mode", "terms.prepaid_validity_months", "terms.late_terms.grace_days"], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task Installments_that_do_not_add_up_to_the_total_are_refused_naming_the_steps()
    {
        var (setup, _) = await host.NewProductAsync();
        var quote = await host.QuoteAsync(Id(), 12, (setup, 1));
        var before = await host.CountsAsync();
        var terms = Terms(host.Clock.GetUtcNow(), PaymentMode.Installments);
        terms.Payment.Steps.Add(new PaymentStep { Name = "only", DueTime = terms.StartTime, Amount = Cny(1m) });

        var e = await Refused(async () => await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = terms },
            Tokens.As(Roles.SalesRep)), StatusCode.InvalidArgument);

        Assert.Equal(["terms.payment.steps"], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task Company_signature_needs_a_sales_manager_and_a_party_signs_once()
    {
        var (setup, _) = await host.NewProductAsync();
        var quote = await host.QuoteAsync(Id(), 12, (setup, 1));
        var draft = await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = Terms(host.Clock.GetUtcNow()) }, Tokens.As(Roles.SalesRep));
        SignContractRequest Sign(SignatureParty party) => new() { RequestId = Id(), ContractId = draft.ContractId, Party = party, SignerName = "X" };

        await Refused(async () => await host.Contracts.SignContractAsync(Sign(SignatureParty.Company), Tokens.As(Roles.SalesRep)), StatusCode.PermissionDenied);
        await Refused(async () => await host.Contracts.SignContractAsync(Sign(SignatureParty.Customer), Tokens.As(Roles.FinanceClerk)), StatusCode.PermissionDenied);
        await host.Contracts.SignContractAsync(Sign(SignatureParty.Customer), Tokens.As(Roles.SalesRep));
        var twice = await Refused(async () => await host.Contracts.SignContractAsync(Sign(SignatureParty.Customer), Tokens.As(Roles.SalesRep)), StatusCode.FailedPrecondition);

        Assert.Equal("ALREADY_SIGNED_BY_PARTY", twice.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        var contract = await host.Contracts.GetContractAsync(new GetContractRequest { ContractId = draft.ContractId }, Tokens.As(Roles.SalesRep));
        Assert.Equal((ContractState.Draft, 1), (contract.State, contract.Signatures.Count));
    }

    [Fact]
    public async Task Amendment_has_its_own_signatures_and_raises_ContractSigned_when_both_signed()
    {
        var (setup, seat) = await host.NewProductAsync();
        var signed = await host.SignedContractAsync(Id(), Terms(host.Clock.GetUtcNow()), 12, (setup, 1));
        var amend = new AmendContractRequest { RequestId = Id(), ContractId = signed.ContractId, Description = "add two seats" };
        amend.Items.Add(new ItemRequest { FeeItemCode = seat, Quantity = 2 });

        var amended = await host.Contracts.AmendContractAsync(amend, Tokens.As(Roles.SalesRep));
        var amendment = Assert.Single(amended.Amendments);
        SignAmendmentRequest Sign(SignatureParty party) => new() { RequestId = Id(), ContractId = signed.ContractId, AmendmentId = amendment.AmendmentId, Party = party, SignerName = "Y" };
        var half = await host.Contracts.SignAmendmentAsync(Sign(SignatureParty.Customer), Tokens.As(Roles.SalesRep));
        var done = await host.Contracts.SignAmendmentAsync(Sign(SignatureParty.Company), Tokens.As(Roles.SalesManager));

        Assert.Null(half.Amendments.Single().SignTime);
        Assert.NotNull(done.Amendments.Single().SignTime);
        Assert.Equal(2400, done.Amendments.Single().Total.Units);
        Assert.Equal(signed.Items, done.Items);
        Assert.Contains((await host.OutboxAsync("ContractSigned")).Select(p => JsonDocument.Parse(p).RootElement),
            e => e.GetProperty("contractNumber").GetString() == signed.Number + "-A1" && e.GetProperty("totalAmount").GetDecimal() == 2400m);
    }

    [Fact]
    public async Task Coupon_is_used_once_by_the_contract_made_from_its_quote()
    {
        var (setup, _) = await host.NewProductAsync();
        var customer = Id();
        var code = "ONCE-" + Guid.NewGuid().ToString("N")[..6];
        await host.Catalog.CreateCouponAsync(new CreateCouponRequest
        {
            RequestId = Id(),
            Code = code,
            AmountOff = Cny(50m),
            ValidUntil = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(30)),
        }, Tokens.As(Roles.Administrator));
        CreateQuoteRequest Quote() => new() { RequestId = Id(), CustomerId = customer, TermMonths = 12, CouponCode = code, Items = { new ItemRequest { FeeItemCode = setup, Quantity = 1 } } };
        var quote = await host.Quotes.CreateQuoteAsync(Quote(), Tokens.As(Roles.SalesRep));
        await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = Terms(host.Clock.GetUtcNow()) }, Tokens.As(Roles.SalesRep));

        var e = await Refused(async () => await host.Quotes.CreateQuoteAsync(Quote(), Tokens.As(Roles.SalesRep)), StatusCode.InvalidArgument);

        Assert.Equal(50, quote.Discounts.Single(d => d.Kind == DiscountKind.Coupon).Amount.Units);
        Assert.Equal(["coupon_code"], Fields(e));
    }

    [Fact]
    public async Task Same_request_id_answers_the_first_signature_and_different_content_is_refused_naming_the_field()
    {
        var (setup, _) = await host.NewProductAsync();
        var quote = await host.QuoteAsync(Id(), 12, (setup, 1));
        var draft = await host.Contracts.CreateContractAsync(new CreateContractRequest { RequestId = Id(), QuoteId = quote.QuoteId, Terms = Terms(host.Clock.GetUtcNow()) }, Tokens.As(Roles.SalesRep));
        var sign = new SignContractRequest { RequestId = Id(), ContractId = draft.ContractId, Party = SignatureParty.Customer, SignerName = "Wang Fang" };

        var first = await host.Contracts.SignContractAsync(sign, Tokens.As(Roles.SalesRep));
        var again = await host.Contracts.SignContractAsync(sign, Tokens.As(Roles.SalesRep));
        var changed = sign.Clone();
        changed.SignerName = "Li Na";
        var e = await Refused(async () => await host.Contracts.SignContractAsync(changed, Tokens.As(Roles.SalesRep)), StatusCode.InvalidArgument);

        Assert.Equal(first, again);
        Assert.Equal(["signer_name"], Fields(e));
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task Refundable_amount_follows_the_contract_refund_policy()
    {
        var (setup, seat) = await host.NewProductAsync();
        var terms = Terms(host.Clock.GetUtcNow());
        terms.RefundPolicy.NonRefundableFeeItemCodes.Add(setup);
        var signed = await host.SignedContractAsync(Id(), terms, 12, (setup, 1), (seat, 1));

        using var scope = host.Billing.Services.CreateScope();
        var quote = await scope.ServiceProvider.GetRequiredService<ContractRefunds>().RefundableAsync(Guid.Parse(signed.ContractId), paid: 2000m, consumed: 300m, CancellationToken.None);

        // Pool 2000 − 1000 setup = 1000; less 300 consumed = 700; handling fee 5% = 35.
        Assert.Equal(new RefundQuote(1000m, 700m, 35m, 665m), quote);
    }

    [Fact]
    public async Task A_query_loading_a_contracts_owned_collections_in_one_statement_is_refused_so_every_read_says_how_to_split()
    {
        // Items, discounts, signatures and installments joined in one statement multiply each other's rows.
        var joined = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Billing.QueryAsync<BillingDb, int>(
            async db => (await db.Set<Platform.Billing.Commerce.Domain.Contract>().AsNoTracking().Take(1).ToListAsync()).Count));
        Assert.Contains("MultipleCollectionIncludeWarning", joined.Message);
        // The service's own reads say AsSplitQuery: every contract test above reads contracts through them.
    }
}
