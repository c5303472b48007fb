using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Proto = Platform.Contracts.Customer.V1;

namespace Platform.Customer.Grpc;

public sealed class CustomersApi(CustomerRegistry registry, CustomerQueries queries, IdempotentRequests<CustomerDb> idempotent,
    CustomerMapping map, TimeProvider clock) : Customers.CustomersBase
{
    public const string Editors = $"{Roles.SalesRep},{Roles.SalesManager},{Roles.Administrator}";
    public const string Managers = $"{Roles.SalesManager},{Roles.Administrator}";

    [Authorize(Roles = Editors)]
    public override async Task<Proto.Customer> RegisterCustomer(RegisterCustomerRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var registration = NewCustomer.Create((int)request.Kind, request.DisplayName, request.Email, request.Phone, request.OwnerId, check);

        // The stored first answer is masked: no plaintext PII at rest, not even in the idempotency table.
        var answer = await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await registry.RegisterAsync(registration, ct), reveal: false), Subjects, context.CancellationToken);
        return await RevealedIfAllowedAsync(answer, context);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Proto.Customer> GetCustomer(GetCustomerRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        return map.ToProto(await registry.GetAsync(id, context.CancellationToken), CustomerMapping.CanReadPii(context));
    }

    [Authorize(Roles = Editors)]
    public override async Task<Proto.Customer> UpdateCustomer(UpdateCustomerRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        check.Require(request.Customer is not null, "customer", "is required");
        var customer = request.Customer ?? new Proto.Customer();
        var id = check.RequireGuid(customer.CustomerId, "customer.customer_id");
        var etag = CustomerMapping.ParseEtag(customer.Etag);
        check.Require(etag is not null, "customer.etag", "must be the etag of the customer as read");
        var paths = request.UpdateMask?.Paths ?? [];
        check.Require(paths.Count > 0, "update_mask", "must name at least one field");
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var changes = ProfileChangesMapping.From(customer, paths, today, check);
        check.ThrowIfInvalid();
        if (changes.Owner.Set && !Managers.Split(',').Any(context.GetHttpContext().User.IsInRole))
        {
            // Giving a customer (and its follow-ups, call tasks and work items) to another rep is a manager's decision.
            throw new PermissionDeniedException("OWNER_CHANGE_NOT_ALLOWED", "only a sales manager or an administrator can change a customer's owner");
        }

        var answer = await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await registry.UpdateAsync(id, etag!.Value, changes, ct), reveal: false), Subjects, context.CancellationToken);
        return await RevealedIfAllowedAsync(answer, context);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListCustomersResponse> ListCustomers(ListCustomersRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var criteria = CriteriaMapping.From(request.Filter, check);
        var size = CriteriaMapping.PageSize(request.PageSize, "page_size", check);
        check.ThrowIfInvalid();
        return await PageAsync(criteria, size, PageToken.Parse(request.PageToken, "page_token"), context);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListCustomersResponse> SearchCustomers(SearchCustomersRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var query = request.Query.Trim();
        check.RequireLength(query, "query", 2, 100);
        var criteria = CriteriaMapping.From(request.Filter, check, query);
        var size = CriteriaMapping.PageSize(request.PageSize, "page_size", check);
        check.ThrowIfInvalid();
        return await PageAsync(criteria, size, PageToken.Parse(request.PageToken, "page_token"), context);
    }

    [Authorize(Roles = Managers)]
    public override async Task<MergeCustomersResponse> MergeCustomers(MergeCustomersRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var survivor = check.RequireGuid(request.SurvivorId, "survivor_id");
        var merged = check.RequireGuid(request.MergedId, "merged_id");
        check.Require(survivor == Guid.Empty || survivor != merged, "merged_id", "must differ from survivor_id");
        check.ThrowIfInvalid();

        var answer = await idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            var (s, m, moved) = await registry.MergeAsync(survivor, merged, ct);
            return new MergeCustomersResponse { Survivor = map.ToProto(s, false), Merged = map.ToProto(m, false), ContactsMoved = moved };
        }, r => [.. Subjects(r.Survivor), .. Subjects(r.Merged)], context.CancellationToken);
        if (CustomerMapping.CanReadPii(context))
        {
            answer.Survivor = await RevealedIfAllowedAsync(answer.Survivor, context);
            answer.Merged = await RevealedIfAllowedAsync(answer.Merged, context);
        }

        return answer;
    }

    [Authorize(Roles = Managers)]
    public override async Task<Proto.Customer> EraseCustomer(EraseCustomerRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var id = check.RequireGuid(request.CustomerId, "customer_id");
        var reason = request.Reason.Trim();
        check.RequireLength(reason, "reason", 1, 500);
        check.ThrowIfInvalid();
        var erased = await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await registry.EraseAsync(id, reason, ct), reveal: false), context.CancellationToken);
        await idempotent.UncacheForgottenAsync(CustomerSubject(id), context.CancellationToken);
        return erased;
    }

    /// <summary>What an erasure of the customer forgets the stored answers of (<see cref="CustomerRegistry.EraseAsync"/>).</summary>
    public static string CustomerSubject(Guid customerId) => "customers/" + customerId;

    private static IEnumerable<string> Subjects(Proto.Customer customer) => [CustomerSubject(Guid.Parse(customer.CustomerId))];

    [Authorize(Roles = Editors)]
    public override async Task<DataCompleteness> GetDataCompleteness(GetDataCompletenessRequest request, ServerCallContext context)
    {
        var check = new Validator();
        if (request.SubjectCase == GetDataCompletenessRequest.SubjectOneofCase.OwnerId)
        {
            var owner = check.RequireGuid(request.OwnerId, "owner_id");
            check.ThrowIfInvalid();
            var (ratio, count) = await queries.CompletenessOfOwnerAsync(owner, context.CancellationToken);
            return new DataCompleteness { Ratio = ratio, Customers = count };
        }

        var id = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var customer = await registry.GetAsync(id, context.CancellationToken);
        return new DataCompleteness
        {
            Ratio = ProfileCompleteness.Ratio(customer),
            Customers = 1,
            MissingFields = { ProfileCompleteness.MissingFields(customer) },
        };
    }

    private async Task<ListCustomersResponse> PageAsync(CustomerCriteria criteria, int size, Guid? after, ServerCallContext context)
    {
        var (page, next) = await queries.PageAsync(criteria, size, after, context.CancellationToken);
        var reveal = CustomerMapping.CanReadPii(context);
        return new ListCustomersResponse
        {
            Customers = { page.Select(c => map.ToProto(c, reveal)) },
            NextPageToken = next is { } n ? PageToken.Of(n) : "",
        };
    }

    /// <summary>A pii_reader gets the current row unmasked instead of the masked stored answer.</summary>
    private async Task<Proto.Customer> RevealedIfAllowedAsync(Proto.Customer answer, ServerCallContext context) =>
        CustomerMapping.CanReadPii(context)
            ? map.ToProto(await registry.GetAsync(Guid.Parse(answer.CustomerId), context.CancellationToken), reveal: true)
            : answer;
}
