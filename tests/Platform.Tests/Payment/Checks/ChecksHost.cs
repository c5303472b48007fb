using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.BuildingBlocks.Audit;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Money;
using Platform.Contracts.Billing.V1;
using Platform.Contracts.Customer.V1;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Platform.Tests.Customer.Profiles;
using Platform.Tests.Payment.Collections;
using CustomerProgram = Platform.Customer.Program;
using Proto = Platform.Contracts.Payment.V1;
using WorkItem = Platform.Payment.Exceptions.Domain.WorkItem;

namespace Platform.Tests.Payment.Checks;

/// <summary>
/// The collections fixture (payment and a real billing on one fake clock) plus a real customer service sharing
/// payment's virtual host: customer events reach payment's consumers through the customer's outbox, and payment asks
/// the customer service and billing's Invoices API through its real client registrations.
/// </summary>
public sealed class ChecksHost : IAsyncLifetime
{
    public CollectionsHost Collections { get; } = new();

    public ServiceHost<CustomerProgram> Customer { get; private set; } = null!;

    public Customers.CustomersClient Customers => new(Customer.Channel);

    public Proto.Payments.PaymentsClient Payments => new(Collections.Payment.Channel);

    public async Task InitializeAsync()
    {
        var infra = await Infrastructure.SharedAsync();
        var bus = await infra.NewVirtualHostAsync("checks");
        Customer = ProfileService.Start(await infra.NewDatabaseAsync("checks"), infra.Redis, bus,
            extra: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        Collections.PaymentSettings["ConnectionStrings:messaging"] = bus;
        Collections.PaymentSettings["Payment:Checks:RecheckEnabled"] = "false"; // the tests run the re-check themselves
        Collections.PaymentSettings["Payment:Checks:RecheckBatchSize"] = "2"; // so that a few payments fill a pass
        Collections.PaymentServices.Add(s =>
        {
            s.AddHttpClient(nameof(Contracts.Customer.V1.Customers.CustomersClient))
                .ConfigurePrimaryHttpMessageHandler(() => new CustomerOutage(this) { InnerHandler = Customer.Server.CreateHandler() });
            s.AddHttpClient(nameof(Invoices.InvoicesClient)).ConfigurePrimaryHttpMessageHandler(() => Collections.Commerce.Billing.Server.CreateHandler());
            s.AddHttpClient(nameof(Contracts.Billing.V1.Contracts.ContractsClient))
                .ConfigurePrimaryHttpMessageHandler(() => new Outage(() => BillingContractsDown) { InnerHandler = Collections.Commerce.Billing.Server.CreateHandler() });
        });
        await Customer.StartedAsync();
        await Collections.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Collections.DisposeAsync();
        await Customer.DisposeAsync();
    }

    public static string Id() => Guid.NewGuid().ToString();

    /// <summary>While set, payment's calls to the customer service fail as if it were down.</summary>
    public bool CustomerServiceDown { get; set; }

    /// <summary>While set, payment's calls to billing's Contracts API fail as if billing were down.</summary>
    public bool BillingContractsDown { get; set; }

    /// <summary>Customers the customer service cannot answer for: payment's calls naming them fail, the others are answered.</summary>
    public ConcurrentDictionary<Guid, bool> Unanswerable { get; } = new();

    private sealed class Outage(Func<bool> down) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            down() ? throw new HttpRequestException("the service is down") : base.SendAsync(request, cancellationToken);
    }

    /// <summary>The customer service down (<see cref="CustomerServiceDown"/>), or failing for the <see cref="Unanswerable"/> customers.</summary>
    private sealed class CustomerOutage(ChecksHost host) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (host.CustomerServiceDown)
            {
                throw new HttpRequestException("the service is down");
            }

            if (!host.Unanswerable.IsEmpty && request.Content is { } content)
            {
                // The request message carries the customer id as text; reading it buffers the content for the call itself.
                var body = await content.ReadAsByteArrayAsync(cancellationToken);
                if (host.Unanswerable.Keys.Any(id => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(id.ToString())) >= 0))
                {
                    throw new HttpRequestException("the customer service fails for this customer");
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A customer registered in the customer service (owned by <paramref name="owner"/>), once payment's view knows it.</summary>
    public async Task<Guid> RegisteredAsync(Guid? owner = null)
    {
        var customer = await Customers.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Id(),
            Kind = CustomerKind.Individual,
            DisplayName = "Han Meimei",
            Email = $"han.{Guid.NewGuid():N}@example.com",
            OwnerId = owner?.ToString() ?? "",
        }, Tokens.As(Roles.SalesRep));
        var id = Guid.Parse(customer.CustomerId);
        await KnownAsync(id, c => c?.Standing == CustomerStanding.Active, "the registration to reach payment");
        return id;
    }

    /// <summary>
    /// Merges <paramref name="merged"/> into <paramref name="survivor"/> in the customer service and waits until payment
    /// has done all it does about it: its view knows the merge, and the merge follower moved what it moves (its audit
    /// entry of the merge comes last, in the same transaction), so nothing of the merge is still being written after.
    /// </summary>
    public async Task MergedAsync(Guid survivor, Guid merged)
    {
        await Customers.MergeCustomersAsync(new MergeCustomersRequest { RequestId = Id(), SurvivorId = survivor.ToString(), MergedId = merged.ToString() },
            Tokens.As(Roles.SalesManager));
        await KnownAsync(merged, c => c?.Standing == CustomerStanding.Merged, "the merge to reach payment");
        await Eventually.Until(() => Collections.Payment.QueryAsync<PaymentDb, bool>(db =>
                db.Set<AuditEntry>().AnyAsync(a => a.Subject == $"customers/{merged}" && a.Action == "customer.merged")),
            followed => followed, what: "the merge to be followed");
    }

    /// <summary>Waits until payment's view of the customer satisfies <paramref name="until"/>.</summary>
    public Task<KnownCustomer?> KnownAsync(Guid id, Func<KnownCustomer?, bool> until, string what) =>
        Eventually.Until(() => Collections.Payment.QueryAsync<PaymentDb, KnownCustomer?>(db =>
            db.Set<KnownCustomer>().AsNoTracking().SingleOrDefaultAsync(c => c.CustomerId == id)), until, what: what);

    /// <summary>An open invoice of <paramref name="customer"/> in billing, due at <paramref name="due"/>.</summary>
    public async Task<Invoice> IssuedInvoiceAsync(Guid customer, decimal amount, DateTimeOffset due)
    {
        var draft = await Collections.Commerce.Invoices.CreateInvoiceAsync(new CreateInvoiceRequest
        {
            RequestId = Id(),
            CustomerId = customer.ToString(),
            Description = "maintenance",
            Amount = amount.ToMoney("CNY"),
            DueTime = Timestamp.FromDateTimeOffset(due),
        }, Tokens.As(Roles.FinanceClerk));
        return await Collections.Commerce.Invoices.IssueInvoiceAsync(new IssueInvoiceRequest { RequestId = Id(), InvoiceId = draft.InvoiceId },
            Tokens.As(Roles.FinanceClerk));
    }

    public static Proto.RecordPaymentRequest Cash(Guid customer, decimal amount, params string[] invoiceIds)
    {
        var request = new Proto.RecordPaymentRequest
        {
            RequestId = Id(),
            CustomerId = customer.ToString(),
            Method = Proto.PaymentMethod.Cash,
            Amount = amount.ToMoney("CNY"),
            Reference = "till-3",
        };
        request.InvoiceIds.AddRange(invoiceIds);
        return request;
    }

    /// <summary>Row counts of everything a payment request could write, to show a refused one wrote nothing.</summary>
    public Task<string> CountsAsync() => Collections.Payment.QueryAsync<PaymentDb, string>(async db => string.Join(",",
        await db.Payments.CountAsync(), await db.Set<OutboxMessage>().CountAsync(), await db.Set<WorkItem>().CountAsync(),
        await db.Set<AuditEntry>().CountAsync(), await db.Set<IdempotentRequest>().CountAsync(), await db.Set<ContractAction>().CountAsync(),
        await db.Set<Platform.Payment.VirtualAccounts.Domain.VirtualAccount>().CountAsync(),
        await db.Set<Platform.Payment.Online.Domain.PaymentIntent>().CountAsync()));

    public static IReadOnlyList<string> Fields(RpcException e) => e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).ToList();

    public static PreconditionFailure.Types.Violation Precondition(RpcException e) => e.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations.Single();
}
