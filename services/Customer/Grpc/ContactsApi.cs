using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Grpc;

public sealed class ContactsApi(ContactBook contacts, IdempotentRequests<CustomerDb> idempotent, CustomerMapping map)
    : CustomerContacts.CustomerContactsBase
{
    [Authorize(Roles = CustomersApi.Editors)]
    public override async Task<Contact> AddContact(AddContactRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        var details = ContactDetails.Create((int)request.Role, request.Name, request.Title, request.Phone, request.Email, check);
        check.ThrowIfInvalid();
        var answer = await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await contacts.AddAsync(customer, details, ct), reveal: false),
            c => [CustomersApi.CustomerSubject(Guid.Parse(c.CustomerId))], context.CancellationToken);
        return CustomerMapping.CanReadPii(context) ? await CurrentAsync(answer, context) : answer;
    }

    [Authorize(Roles = CustomersApi.Editors)]
    public override async Task<Contact> UpdateContact(UpdateContactRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var id = check.RequireGuid(request.ContactId, "contact_id");
        var etag = CustomerMapping.ParseEtag(request.Etag);
        check.Require(etag is not null, "etag", "must be the etag of the contact as read");
        var details = ContactDetails.Create((int)request.Role, request.Name, request.Title, request.Phone, request.Email, check);
        check.ThrowIfInvalid();
        var answer = await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => map.ToProto(await contacts.UpdateAsync(id, etag!.Value, details, ct), reveal: false),
            c => [CustomersApi.CustomerSubject(Guid.Parse(c.CustomerId))], context.CancellationToken);
        return CustomerMapping.CanReadPii(context) ? await CurrentAsync(answer, context) : answer;
    }

    [Authorize(Roles = CustomersApi.Editors)]
    public override async Task<RemoveContactResponse> RemoveContact(RemoveContactRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var id = check.RequireGuid(request.ContactId, "contact_id");
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct =>
        {
            await contacts.RemoveAsync(id, ct);
            return new RemoveContactResponse { ContactId = id.ToString() };
        }, context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<ListContactsResponse> ListContacts(ListContactsRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var reveal = CustomerMapping.CanReadPii(context);
        return new ListContactsResponse { Contacts = { (await contacts.ListAsync(customer, context.CancellationToken)).Select(c => map.ToProto(c, reveal)) } };
    }

    /// <summary>Platform services (role service) get the address unmasked: they resolve a contact to deliver a notice to it.</summary>
    [Authorize(Roles = Roles.Readers)]
    public override async Task<Contact> ResolveContact(ResolveContactRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        check.Require(request.Role is not ContactRole.Unspecified && Enum.IsDefined(request.Role), "role", "must be DECISION_MAKER, ACCEPTANCE_SIGNER, PAYMENT_OWNER or OTHER");
        check.ThrowIfInvalid();
        var contact = await contacts.ResolveAsync(customer, (Domain.ContactRole)(int)request.Role, context.CancellationToken);
        var user = context.GetHttpContext().User;
        return map.ToProto(contact, user.IsInRole(Roles.PiiReader) || user.IsInRole(Roles.Service));
    }

    private async Task<Contact> CurrentAsync(Contact answer, ServerCallContext context)
    {
        var all = await contacts.ListAsync(Guid.Parse(answer.CustomerId), context.CancellationToken);
        return all.FirstOrDefault(c => c.Id.ToString() == answer.ContactId) is { } current ? map.ToProto(current, reveal: true) : answer;
    }
}
