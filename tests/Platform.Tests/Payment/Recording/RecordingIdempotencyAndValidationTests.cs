using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Payment.V1;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using StackExchange.Redis;
using static Platform.Tests.Payment.Recording.RecordingHost;

namespace Platform.Tests.Payment.Recording;

/// <summary>A repeated RecordPayment answers the first payment; a refused one names each bad field and writes nothing.</summary>
public sealed class RecordingIdempotencyAndValidationTests(RecordingHost host) : IClassFixture<RecordingHost>
{
    [Fact]
    public async Task Same_request_id_and_content_answers_the_same_payment_with_one_row_and_one_PaymentReceived()
    {
        var request = Cash(Id(), 250m);

        var twins = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => host.RecordAsync(request.Clone())));
        var later = await host.RecordAsync(request.Clone());

        Assert.Single(twins.Append(later).Select(p => p.PaymentId).Distinct());
        Assert.Equal(1, await host.Payment.QueryAsync<PaymentDb, int>(db => db.Payments.CountAsync(p => p.CustomerId == Guid.Parse(request.CustomerId))));
        Assert.Single(await host.OutboxAsync("PaymentReceived", later.PaymentId));
    }

    [Fact]
    public async Task Same_request_id_with_different_content_is_refused_naming_the_field_and_writes_nothing()
    {
        var request = Cash(Id(), 250m);
        var first = await host.RecordAsync(request);
        var before = await host.CountsAsync();
        var changed = request.Clone();
        changed.Amount = Cny(260m);

        var e = await Assert.ThrowsAsync<RpcException>(() => host.RecordAsync(changed));

        Assert.Equal((StatusCode.InvalidArgument, "IDEMPOTENCY_KEY_REUSED"), (e.StatusCode, Reason(e)));
        Assert.Equal(["amount"], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
        Assert.Equal(250L, (await host.Payments.GetPaymentAsync(new GetPaymentRequest { PaymentId = first.PaymentId }, Tokens.As(Roles.FinanceClerk))).Amount.Units);
    }

    [Fact]
    public async Task A_repeat_the_cache_no_longer_holds_is_answered_from_the_database_and_applied_once()
    {
        var request = Cash(Id(), 180m);
        var first = await host.RecordAsync(request);
        var redis = host.Payment.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var cacheKey = $"idem:{nameof(PaymentDb)}:{nameof(RecordPaymentRequest)}:{request.RequestId}";
        Assert.True(await redis.KeyDeleteAsync(cacheKey)); // the probe: the answer was cached under this key
        var before = await host.CountsAsync();

        var again = await host.RecordAsync(request.Clone());
        await redis.KeyDeleteAsync(cacheKey);
        var changed = request.Clone();
        changed.Amount = Cny(190m);
        var e = await Assert.ThrowsAsync<RpcException>(() => host.RecordAsync(changed));

        Assert.Equal(first.PaymentId, again.PaymentId);
        Assert.Equal(["amount"], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
        Assert.Single(await host.OutboxAsync("PaymentReceived", first.PaymentId));
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "request_id", "no request id" },
        { "customer_id", "customer is not a uuid" },
        { "method", "no method" },
        { "amount", "zero amount" },
        { "amount", "negative amount" },
        { "amount", "five decimals" },
        { "amount.currency_code", "dollars" },
        { "reference", "reference too long" },
        { "collector", "collector too long" },
        { "receive_time", "received tomorrow" },
        { "contract_id", "contract is not a uuid" },
        { "invoice_ids[1]", "invoice is not a uuid" },
        { "invoice_ids[1]", "invoice twice" },
        { "invoice_ids", "contract and invoices" },
        { "cheque", "cheque without details" },
        { "cheque.cheque_number", "cheque without number" },
        { "cheque.drawer_bank", "cheque without bank" },
        { "card", "card details on cash" },
        { "card.last_4", "whole card number" },
        { "card.authorization_code", "accepted card without authorization" },
        { "transfer.payer_account", "transfer without payer account" },
        { "wallet", "wallet without details" },
        { "wallet.transaction_id", "wallet without transaction" },
        { "failure_reason", "failed cash" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Invalid_input_is_refused_naming_the_field_and_nothing_is_stored(string field, string mistake)
    {
        var request = Mistaken(mistake);
        var before = await host.CountsAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => host.RecordAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal([field], Fields(e).Distinct());
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task An_amount_beyond_what_numeric_19_4_keeps_is_refused_naming_the_amount_and_nothing_is_stored()
    {
        var request = Cash(Id(), 100m);
        request.Amount = new Google.Type.Money { CurrencyCode = "CNY", Units = 1_000_000_000_000_000 };
        var before = await host.CountsAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => host.RecordAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(["amount"], Fields(e));
        Assert.Equal(before, await host.CountsAsync());
    }

    [Fact]
    public async Task Every_bad_field_is_named_at_once()
    {
        var request = new RecordPaymentRequest
        {
            RequestId = "",
            CustomerId = "someone",
            Method = PaymentMethod.Cheque,
            Amount = Cny(-5m),
            ReceiveTime = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(1)),
            Card = new CardDetails { Last4 = "4242", AuthorizationCode = "x" },
        };

        var e = await Assert.ThrowsAsync<RpcException>(() => host.RecordAsync(request));

        Assert.Equal(["request_id", "customer_id", "amount", "receive_time", "cheque", "card"], Fields(e));
    }

    private RecordPaymentRequest Mistaken(string mistake)
    {
        var r = Cash(Id(), 100m);
        switch (mistake)
        {
            case "no request id": r.RequestId = ""; break;
            case "customer is not a uuid": r.CustomerId = "ACME"; break;
            case "no method": r.Method = PaymentMethod.Unspecified; break;
            case "zero amount": r.Amount = Cny(0m); break;
            case "negative amount": r.Amount = Cny(-1m); break;
            case "five decimals": r.Amount = new Google.Type.Money { CurrencyCode = "CNY", Units = 1, Nanos = 12_345 }; break;
            case "dollars": r.Amount = new Google.Type.Money { CurrencyCode = "USD", Units = 1 }; break;
            case "reference too long": r.Reference = new string('r', 129); break;
            case "collector too long": r.Collector = new string('c', 129); break;
            case "received tomorrow": r.ReceiveTime = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow().AddDays(1)); break;
            case "contract is not a uuid": r.ContractId = "C-1"; break;
            case "invoice is not a uuid": r.InvoiceIds.Add(Id()); r.InvoiceIds.Add("INV-2026-000001"); break;
            case "invoice twice": var i = Id(); r.InvoiceIds.Add(i); r.InvoiceIds.Add(i); break;
            case "contract and invoices": r.ContractId = Id(); r.InvoiceIds.Add(Id()); break;
            case "cheque without details": r.Method = PaymentMethod.Cheque; break;
            case "cheque without number": r = Cheque(r.CustomerId, 100m, ""); break;
            case "cheque without bank": r = Cheque(r.CustomerId, 100m); r.Cheque.DrawerBank = " "; break;
            case "card details on cash": r.Card = new CardDetails { Last4 = "4242", AuthorizationCode = "A1" }; break;
            case "whole card number": r.Method = PaymentMethod.Card; r.Card = new CardDetails { Last4 = "4111111111111111", AuthorizationCode = "A1" }; break;
            case "accepted card without authorization": r.Method = PaymentMethod.Card; r.Card = new CardDetails { Last4 = "4242" }; break;
            case "transfer without payer account": r.Method = PaymentMethod.BankTransfer; r.Transfer = new TransferDetails { PayerName = "Li Na" }; break;
            case "wallet without details": r.Method = PaymentMethod.WechatPay; break;
            case "wallet without transaction": r.Method = PaymentMethod.Alipay; r.Wallet = new WalletDetails(); break;
            case "failed cash": r.FailureReason = "customer walked away"; break;
            default: throw new ArgumentOutOfRangeException(nameof(mistake), mistake, null);
        }

        return r;
    }
}
