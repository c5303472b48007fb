using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class ContactsTests(ProfileService service)
{
    private static AddContactRequest NewContact(string customerId, ContactRole role, string name, string email = "") => new()
    {
        RequestId = Guid.NewGuid().ToString(), CustomerId = customerId, Role = role, Name = name, Email = email.Length > 0 ? email : $"{Guid.NewGuid():N}@example.com",
    };

    [Fact]
    public async Task Contacts_are_added_updated_listed_resolved_by_role_and_removed()
    {
        var customer = await service.RegisterAsync("Contacts Co", kind: CustomerKind.Organization);
        var payerEmail = $"pay.{Guid.NewGuid():N}@example.com";
        var signer = await service.Contacts.AddContactAsync(NewContact(customer.CustomerId, ContactRole.AcceptanceSigner, "Signer"), Tokens.As(Roles.SalesRep));
        var payer = await service.Contacts.AddContactAsync(NewContact(customer.CustomerId, ContactRole.Other, "Payer", payerEmail), Tokens.As(Roles.SalesRep));

        var promoted = await service.Contacts.UpdateContactAsync(new UpdateContactRequest
        {
            RequestId = Guid.NewGuid().ToString(), ContactId = payer.ContactId, Etag = payer.Etag, Role = ContactRole.PaymentOwner, Name = "Payer",
            Title = "CFO", Email = payerEmail,
        }, Tokens.As(Roles.SalesRep));
        var stale = await Refused(StatusCode.Aborted, async () => await service.Contacts.UpdateContactAsync(new UpdateContactRequest
        {
            RequestId = Guid.NewGuid().ToString(), ContactId = payer.ContactId, Etag = payer.Etag, Role = ContactRole.Other, Name = "Payer", Email = payerEmail,
        }, Tokens.As(Roles.SalesRep)));
        var resolved = await service.Contacts.ResolveContactAsync(new ResolveContactRequest { CustomerId = customer.CustomerId, Role = ContactRole.PaymentOwner },
            Tokens.As(Roles.Service));
        var resolvedByStaff = await service.Contacts.ResolveContactAsync(new ResolveContactRequest { CustomerId = customer.CustomerId, Role = ContactRole.PaymentOwner },
            Tokens.As(Roles.FinanceClerk));
        await service.Contacts.RemoveContactAsync(new RemoveContactRequest { RequestId = Guid.NewGuid().ToString(), ContactId = signer.ContactId }, Tokens.As(Roles.SalesRep));
        var list = await service.Contacts.ListContactsAsync(new ListContactsRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SupportAgent));
        var noSigner = await Refused(StatusCode.NotFound, async () => await service.Contacts.ResolveContactAsync(
            new ResolveContactRequest { CustomerId = customer.CustomerId, Role = ContactRole.AcceptanceSigner }, Tokens.As(Roles.Service)));

        Assert.Equal("CFO", promoted.Title);
        Assert.NotEqual(payer.Etag, promoted.Etag);
        Assert.NotNull(stale);
        Assert.Equal(payer.ContactId, resolved.ContactId);
        Assert.Equal(payerEmail, resolved.Email);
        Assert.NotEqual(payerEmail, resolvedByStaff.Email);
        Assert.Equal([payer.ContactId], list.Contacts.Select(c => c.ContactId));
        Assert.Equal("CONTACT_NOT_FOUND", noSigner.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task Invalid_contacts_name_their_fields_and_store_nothing()
    {
        var customer = await service.RegisterAsync("No Contacts");
        var request = NewContact(customer.CustomerId, ContactRole.Unspecified, "");
        request.Email = "nope";
        request.Phone = "123";

        var fields = await InvalidFields(async () => await service.Contacts.AddContactAsync(request, Tokens.As(Roles.SalesRep)));

        Assert.Equal(["role", "name", "phone", "email"], fields);
        Assert.Equal(0, await service.QueryAsync(db => db.Contacts.CountAsync(c => c.CustomerId == Guid.Parse(customer.CustomerId))));
    }

    [Fact]
    public async Task Contacts_of_an_unknown_customer_are_not_found()
    {
        await Refused(StatusCode.NotFound, async () => await service.Contacts.AddContactAsync(
            NewContact(Guid.NewGuid().ToString(), ContactRole.DecisionMaker, "Ghost"), Tokens.As(Roles.SalesRep)));
    }
}
