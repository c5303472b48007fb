using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class DataCompletenessTests(ProfileService service)
{
    [Fact]
    public async Task Completeness_is_the_share_of_fields_filled_per_customer_and_averaged_per_sales_rep()
    {
        var rep = Guid.NewGuid().ToString();
        // Organization: 10 fields apply; registered with e-mail and owner = 2 filled.
        var bare = await service.RegisterAsync("Bare Org", ownerId: rep, kind: CustomerKind.Organization);
        var rich = await service.RegisterAsync("Rich Org", ownerId: rep, kind: CustomerKind.Organization);
        await service.Customers.UpdateCustomerAsync(new UpdateCustomerRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Customer = new Contracts.Customer.V1.Customer
            {
                CustomerId = rich.CustomerId, Etag = rich.Etag, Phone = "+8613300001234", Industry = "finance", NeedType = NeedType.Combined, Tags = { "key" },
            },
            UpdateMask = new FieldMask { Paths = { "phone", "industry", "need_type", "tags" } },
        }, Tokens.As(Roles.SalesRep));

        var one = await service.Customers.GetDataCompletenessAsync(new GetDataCompletenessRequest { CustomerId = bare.CustomerId }, Tokens.As(Roles.SalesManager));
        var perRep = await service.Customers.GetDataCompletenessAsync(new GetDataCompletenessRequest { OwnerId = rep }, Tokens.As(Roles.SalesManager));
        var nobody = await service.Customers.GetDataCompletenessAsync(new GetDataCompletenessRequest { OwnerId = Guid.NewGuid().ToString() }, Tokens.As(Roles.SalesManager));

        Assert.Equal(0.2, one.Ratio, 6);
        Assert.Equal(["phone", "address", "industry", "need_type", "budget", "decision_process_notes", "acquisition_channel", "tags"], one.MissingFields);
        Assert.Equal((0.2 + 0.6) / 2, perRep.Ratio, 6);
        Assert.Equal(2, perRep.Customers);
        Assert.Equal((0d, 0), (nobody.Ratio, nobody.Customers));
        Assert.Equal(["customer_id"], await InvalidFields(async () => await service.Customers.GetDataCompletenessAsync(new GetDataCompletenessRequest(), Tokens.As(Roles.SalesManager))));
    }
}
