using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class MergeAndEraseTests(ProfileService service)
{
    private Task<Contact> AddContactAsync(string customerId, ContactRole role, string name) =>
        service.Contacts.AddContactAsync(new AddContactRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customerId, Role = role, Name = name, Phone = "+8618600000000",
        }, Tokens.As(Roles.SalesRep)).ResponseAsync;

    [Fact]
    public async Task Merging_keeps_the_duplicate_as_history_moves_its_contacts_and_announces_it()
    {
        var owner = Guid.NewGuid().ToString();
        var survivor = await service.RegisterAsync("Survivor Ltd", ownerId: owner);
        var duplicate = await service.RegisterAsync("Survivor Limited", ownerId: owner);
        await service.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Customer = new Contracts.Customer.V1.Customer { CustomerId = duplicate.CustomerId, Etag = duplicate.Etag, Industry = "retail", Tags = { "from-duplicate" } },
            UpdateMask = new FieldMask { Paths = { "industry", "tags" } },
        }, Tokens.As(Roles.SalesRep));
        await AddContactAsync(duplicate.CustomerId, ContactRole.PaymentOwner, "Payer");

        var merged = await service.Customers.MergeCustomersAsync(new MergeCustomersRequest
        {
            RequestId = Guid.NewGuid().ToString(), SurvivorId = survivor.CustomerId, MergedId = duplicate.CustomerId,
        }, Tokens.As(Roles.SalesManager));
        var payer = await service.Contacts.ResolveContactAsync(new ResolveContactRequest { CustomerId = survivor.CustomerId, Role = ContactRole.PaymentOwner },
            Tokens.As(Roles.Service));
        var listed = await service.Customers.ListCustomersAsync(new ListCustomersRequest { Filter = new CustomerFilter { OwnerId = owner } }, Tokens.As(Roles.SalesRep));
        var history = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = duplicate.CustomerId }, Tokens.As(Roles.SalesRep, Roles.PiiReader));
        var reRegistered = await Refused(StatusCode.AlreadyExists, async () => await service.Customers.RegisterCustomerAsync(new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Organization, DisplayName = "Again", Email = history.Email,
        }, Tokens.As(Roles.SalesRep)));
        var again = await Refused(StatusCode.FailedPrecondition, async () => await service.Customers.MergeCustomersAsync(new MergeCustomersRequest
        {
            RequestId = Guid.NewGuid().ToString(), SurvivorId = survivor.CustomerId, MergedId = duplicate.CustomerId,
        }, Tokens.As(Roles.SalesManager)));

        Assert.Equal(survivor.CustomerId, merged.Merged.MergedIntoId);
        Assert.Equal(1, merged.ContactsMoved);
        Assert.Equal("retail", merged.Survivor.Industry);
        Assert.Contains("from-duplicate", merged.Survivor.Tags);
        Assert.Equal("Payer", payer.Name);
        Assert.Equal([survivor.CustomerId], listed.Customers.Select(c => c.CustomerId));
        Assert.Equal("Survivor Limited", history.DisplayName);
        Assert.Equal(survivor.CustomerId, reRegistered.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["existing_customer_id"]);
        Assert.Equal("CUSTOMER_MERGED", again.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(1, await EventsAsync("CustomersMerged", duplicate.CustomerId));
    }

    [Fact]
    public async Task A_customer_is_not_merged_into_itself()
    {
        var customer = await service.RegisterAsync("Alone");

        var fields = await InvalidFields(async () => await service.Customers.MergeCustomersAsync(new MergeCustomersRequest
        {
            RequestId = Guid.NewGuid().ToString(), SurvivorId = customer.CustomerId, MergedId = customer.CustomerId,
        }, Tokens.As(Roles.SalesManager)));

        Assert.Equal(["merged_id"], fields);
    }

    [Fact]
    public async Task Erasure_pseudonymises_the_customer_removes_its_contacts_and_announces_it_once()
    {
        var customer = await service.RegisterAsync("To Be Forgotten", phone: "+8613899998888");
        await AddContactAsync(customer.CustomerId, ContactRole.DecisionMaker, "Forgotten Boss");
        EraseCustomerRequest Erase() => new() { RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Reason = "customer request" };

        var erased = await service.Customers.EraseCustomerAsync(Erase(), Tokens.As(Roles.Administrator));
        var twice = await service.Customers.EraseCustomerAsync(Erase(), Tokens.As(Roles.Administrator));
        var read = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customer.CustomerId }, Tokens.As(Roles.SalesRep, Roles.PiiReader));
        var update = await Refused(StatusCode.FailedPrecondition, async () => await service.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Customer = new Contracts.Customer.V1.Customer { CustomerId = read.CustomerId, Etag = read.Etag, DisplayName = "Back" },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }, Tokens.As(Roles.SalesRep)));
        var row = await service.QueryAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.Id == Guid.Parse(customer.CustomerId)));
        var listed = await service.Customers.SearchCustomersAsync(new SearchCustomersRequest { Query = row.DisplayName }, Tokens.As(Roles.SalesRep));
        var listedErased = await service.Customers.SearchCustomersAsync(new SearchCustomersRequest
        {
            Query = row.DisplayName, Filter = new CustomerFilter { LifecycleStages = { LifecycleStage.Erased } },
        }, Tokens.As(Roles.SalesRep));

        Assert.Equal(LifecycleStage.Erased, erased.LifecycleStage);
        Assert.Equal(erased.Etag, twice.Etag);
        Assert.DoesNotContain("Forgotten", read.DisplayName, StringComparison.Ordinal);
        Assert.Equal("", read.Email);
        Assert.Equal("", read.Phone);
        Assert.Null(row.EmailIndex);
        Assert.Null(row.PhoneCipher);
        Assert.Equal("CUSTOMER_ERASED", update.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(0, await service.QueryAsync(db => db.Contacts.CountAsync(c => c.CustomerId == Guid.Parse(customer.CustomerId))));
        Assert.Equal(1, await EventsAsync("CustomerErased", customer.CustomerId));
        Assert.Empty(listed.Customers);
        Assert.Equal([customer.CustomerId], listedErased.Customers.Select(c => c.CustomerId));
    }

    [Fact]
    public async Task Erasure_forgets_the_stored_answers_about_the_customer_and_refuses_their_replay()
    {
        var register = new RegisterCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Organization, DisplayName = "Qiao Yun Trading", Email = $"qy.{Guid.NewGuid():N}@example.com",
        };
        var customer = await service.Customers.RegisterCustomerAsync(register, Tokens.As(Roles.SalesRep));
        var contact = new AddContactRequest
        {
            RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Role = ContactRole.PaymentOwner, Name = "Qiao Yun", Phone = "+8613700001111",
        };
        await service.Contacts.AddContactAsync(contact, Tokens.As(Roles.SalesRep));
        // Replayed before the erasure: the first answer, now also cached in Redis.
        Assert.Equal(customer.CustomerId, (await service.Customers.RegisterCustomerAsync(register, Tokens.As(Roles.SalesRep))).CustomerId);

        await service.Customers.EraseCustomerAsync(new EraseCustomerRequest { RequestId = Guid.NewGuid().ToString(), CustomerId = customer.CustomerId, Reason = "customer request" },
            Tokens.As(Roles.Administrator));

        var registerAgain = await Refused(StatusCode.FailedPrecondition, async () => await service.Customers.RegisterCustomerAsync(register, Tokens.As(Roles.SalesRep)));
        var contactAgain = await Refused(StatusCode.FailedPrecondition, async () => await service.Contacts.AddContactAsync(contact, Tokens.As(Roles.SalesRep)));
        Assert.Equal("ANSWER_ERASED", registerAgain.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal("ANSWER_ERASED", contactAgain.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        var answers = await service.QueryAsync(db => db.Set<Platform.BuildingBlocks.Idempotency.IdempotentRequest>().AsNoTracking().Select(r => r.Response).ToListAsync());
        Assert.DoesNotContain(answers, a => System.Text.Encoding.UTF8.GetString(a).Contains("Qiao Yun", StringComparison.Ordinal));
        // Nothing was applied again: no second customer and no contact came back.
        Assert.Equal(0, await service.QueryAsync(db => db.Customers.CountAsync(c => c.DisplayName == "Qiao Yun Trading")));
        Assert.Equal(0, await service.QueryAsync(db => db.Contacts.CountAsync(c => c.CustomerId == Guid.Parse(customer.CustomerId))));
    }

    [Fact]
    public async Task Erasing_needs_a_reason_and_a_manager()
    {
        var customer = await service.RegisterAsync("Kept");

        var fields = await InvalidFields(async () => await service.Customers.EraseCustomerAsync(
            new EraseCustomerRequest { RequestId = "e-1", CustomerId = customer.CustomerId }, Tokens.As(Roles.Administrator)));
        await Refused(StatusCode.PermissionDenied, async () => await service.Customers.EraseCustomerAsync(
            new EraseCustomerRequest { RequestId = "e-2", CustomerId = customer.CustomerId, Reason = "x" }, Tokens.As(Roles.SalesRep)));

        Assert.Equal(["reason"], fields);
        Assert.Equal(0, await EventsAsync("CustomerErased", customer.CustomerId));
    }

    private Task<int> EventsAsync(string type, string customerId)
    {
        var (typePattern, idPattern) = ("%." + type, "%" + customerId + "%");
        return service.QueryAsync(db => db.Database.SqlQuery<int>(
            $"SELECT count(*)::int AS \"Value\" FROM outbox_messages WHERE message_type LIKE {typePattern} AND payload::text LIKE {idPattern}").SingleAsync());
    }
}
