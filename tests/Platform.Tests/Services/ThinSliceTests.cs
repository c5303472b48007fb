using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Services;

/// <summary>RegisterCustomer → CustomerRegistered through the outbox → billing opens the prepaid account → zero balance.</summary>
public sealed class ThinSliceTests(CustomerAndBilling services) : IClassFixture<CustomerAndBilling>
{
    private static RegisterCustomerRequest NewRequest(string? email = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Kind = CustomerKind.Individual,
        DisplayName = "Li Lei",
        Email = email ?? $"li.lei.{Guid.NewGuid():N}@example.com",
    };

    private static async Task Refused(Func<Task> call, StatusCode expected) =>
        Assert.Equal(expected, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);

    [Fact]
    public async Task Registered_customer_gets_a_prepaid_account_with_a_zero_balance()
    {
        var customer = await services.Customers.RegisterCustomerAsync(NewRequest(), Tokens.As(Roles.SalesRep));

        var balance = await Eventually.Until(
            async () => await services.PrepaidAccounts.GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.FinanceClerk)),
            b => b.State == AccountState.Open, what: "billing to open the account");

        Assert.Equal(0, balance.Available.Units);
        Assert.Equal(0, balance.Available.Nanos);
        Assert.Equal("CNY", balance.Available.CurrencyCode);
        Assert.Equal(LifecycleStage.Prospect, customer.LifecycleStage);
    }

    [Fact]
    public async Task Invalid_registration_names_the_field_and_stores_nothing()
    {
        var before = await CountsAsync();
        var request = NewRequest();
        request.DisplayName = "";
        request.Phone = "12345";

        var e = await Assert.ThrowsAsync<RpcException>(async () => await services.Customers.RegisterCustomerAsync(request, Tokens.As(Roles.SalesRep)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var bad = e.GetRpcStatus()!.GetDetail<BadRequest>();
        Assert.Equal(["display_name", "phone"], bad.FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Call_without_a_token_is_unauthenticated_and_without_the_role_is_denied()
    {
        await Refused(async () => await services.Customers.RegisterCustomerAsync(NewRequest()), StatusCode.Unauthenticated);
        await Refused(async () => await services.Customers.RegisterCustomerAsync(NewRequest(), Tokens.As(Roles.FinanceClerk)), StatusCode.PermissionDenied);
        await Refused(async () => await services.PrepaidAccounts.GetPrepaidBalanceAsync(
            new GetPrepaidBalanceRequest { CustomerId = Guid.NewGuid().ToString() }, new CallOptions(Tokens.Bearer(Roles.PiiReader))), StatusCode.PermissionDenied);
    }

    [Fact]
    public async Task Token_signed_with_another_key_is_unauthenticated()
    {
        var forged = TokenIssuer.Issue(new AuthOptions { SigningKey = TokenIssuer.NewSigningKey() }, "mallory", [Roles.Administrator], TimeSpan.FromHours(1));

        await Refused(async () => await services.Customers.RegisterCustomerAsync(NewRequest(), new CallOptions(new Metadata { { "Authorization", "Bearer " + forged } })),
            StatusCode.Unauthenticated);
    }

    [Fact]
    public async Task Duplicate_email_is_refused_with_the_existing_customer()
    {
        var first = await services.Customers.RegisterCustomerAsync(NewRequest("dup@example.com"), Tokens.As(Roles.SalesRep));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await services.Customers.RegisterCustomerAsync(NewRequest("DUP@example.com"), Tokens.As(Roles.SalesRep)));

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal(first.CustomerId, e.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["existing_customer_id"]);
    }

    [Fact]
    public async Task Same_request_id_answers_the_first_result_and_different_content_is_refused_naming_the_field()
    {
        var request = NewRequest();
        var first = await services.Customers.RegisterCustomerAsync(request, Tokens.As(Roles.SalesRep));
        var again = await services.Customers.RegisterCustomerAsync(request, Tokens.As(Roles.SalesRep));

        var changed = request.Clone();
        changed.DisplayName = "Han Meimei";
        var e = await Assert.ThrowsAsync<RpcException>(async () => await services.Customers.RegisterCustomerAsync(changed, Tokens.As(Roles.SalesRep)));

        Assert.Equal(first, again);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("display_name", e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(1, await services.Customer.QueryAsync<CustomerDb, int>(db => db.Customers.CountAsync(c => c.Id == Guid.Parse(first.CustomerId))));
    }

    [Fact]
    public async Task Concurrent_twins_with_one_request_id_register_one_customer()
    {
        var request = NewRequest();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            services.Customers.RegisterCustomerAsync(request, Tokens.As(Roles.SalesRep)).ResponseAsync));

        Assert.Single(answers.Select(a => a.CustomerId).Distinct());
        Assert.Equal(1, await services.Customer.QueryAsync<CustomerDb, int>(db => db.Customers.CountAsync(c => c.Id == Guid.Parse(answers[0].CustomerId))));
    }

    [Fact]
    public async Task Pii_is_encrypted_at_rest_and_masked_without_the_pii_role()
    {
        var email = $"secret.{Guid.NewGuid():N}@example.com";
        var request = NewRequest(email);
        request.Phone = "+8613900139000";
        var masked = await services.Customers.RegisterCustomerAsync(request, Tokens.As(Roles.SalesRep));
        var revealed = await services.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = masked.CustomerId }, Tokens.As(Roles.SalesRep, Roles.PiiReader));

        Assert.Equal("s***@example.com", masked.Email);
        Assert.Equal("+86*******9000", masked.Phone);
        Assert.Equal(email, revealed.Email);
        Assert.Equal("+8613900139000", revealed.Phone);
        Assert.Equal(0, await RowsContainingAsync(email));
        Assert.Equal(0, await RowsContainingAsync("13900139000"));
        Assert.True(await RowsContainingAsync(masked.CustomerId) > 0); // the probe does find what is there
    }

    [Fact]
    public async Task Rest_callers_get_the_same_refusal_with_its_details_as_json()
    {
        using var http = services.Customer.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/customers")
        {
            Content = new StringContent("""{"requestId":"rest-1","kind":"CUSTOMER_KIND_INDIVIDUAL","displayName":"","email":"li@example.com"}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", Tokens.For(Roles.SalesRep));

        using var response = await http.SendAsync(request);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var violation = body.RootElement.GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("@type").GetString()!.EndsWith("BadRequest", StringComparison.Ordinal))
            .GetProperty("fieldViolations")[0];
        Assert.Equal("display_name", violation.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Balance_of_an_unknown_customer_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await services.PrepaidAccounts.GetPrepaidBalanceAsync(
            new GetPrepaidBalanceRequest { CustomerId = Guid.NewGuid().ToString() }, Tokens.As(Roles.FinanceClerk)));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task One_trace_runs_from_the_register_call_to_the_billing_consumer()
    {
        var consumed = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MassTransit" or "Platform.Outbox",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = consumed.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("Platform.Tests");
        using var root = new Activity("test register").SetIdFormat(ActivityIdFormat.W3C).Start();

        var headers = Tokens.Bearer(Roles.SalesRep);
        headers.Add("traceparent", root.Id!);
        var customer = await services.Customers.RegisterCustomerAsync(NewRequest(), new CallOptions(headers));
        await Eventually.Until(
            async () => await services.PrepaidAccounts.GetPrepaidBalanceAsync(new GetPrepaidBalanceRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.FinanceClerk)),
            b => b.State == AccountState.Open, what: "the account");

        var trace = await Eventually.Until(() => Task.FromResult(consumed.Where(a => a.TraceId == root.TraceId).ToList()),
            list => list.Any(a => a.Kind == ActivityKind.Consumer && a.DisplayName.StartsWith("billing-customer-registered", StringComparison.Ordinal)),
            what: "billing's consume span in the register call's trace");
        Assert.Contains(trace, a => a.Source.Name == "Platform.Outbox");
        var outboxRow = await services.Customer.QueryAsync<CustomerDb, OutboxMessage>(db => db.Set<OutboxMessage>().OrderByDescending(m => m.Sequence).FirstAsync());
        Assert.NotNull(outboxRow.TraceParent);
    }

    /// <summary>Rows of the customer database (customers, idempotent requests, outbox) whose text contains the value.</summary>
    private Task<int> RowsContainingAsync(string value)
    {
        var pattern = "%" + value + "%";
        return services.Customer.QueryAsync<CustomerDb, int>(db => db.Database.SqlQuery<int>($"""
            SELECT ((SELECT count(*) FROM customers c WHERE c::text LIKE {pattern})
                  + (SELECT count(*) FROM idempotent_requests r WHERE r::text LIKE {pattern} OR encode(r.response, 'escape') LIKE {pattern})
                  + (SELECT count(*) FROM outbox_messages o WHERE o.payload::text LIKE {pattern} AND o.message_type NOT LIKE '%CustomerRegistered'))::int AS "Value"
            """).SingleAsync());
    }

    private async Task<(int Customers, int Outbox, int Requests)> CountsAsync() =>
        await services.Customer.QueryAsync<CustomerDb, (int, int, int)>(async db =>
            (await db.Customers.CountAsync(), await db.Set<OutboxMessage>().CountAsync(), await db.Set<Platform.BuildingBlocks.Idempotency.IdempotentRequest>().CountAsync()));
}
