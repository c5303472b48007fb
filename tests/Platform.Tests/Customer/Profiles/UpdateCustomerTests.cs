using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using static Platform.Tests.Customer.Profiles.Refusals;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class UpdateCustomerTests(ProfileService service)
{
    private static UpdateCustomerRequest Update(Contracts.Customer.V1.Customer read, Action<Contracts.Customer.V1.Customer> set, params string[] paths)
    {
        var customer = new Contracts.Customer.V1.Customer { CustomerId = read.CustomerId, Etag = read.Etag };
        set(customer);
        return new UpdateCustomerRequest { RequestId = Guid.NewGuid().ToString(), Customer = customer, UpdateMask = new FieldMask { Paths = { paths } } };
    }

    [Fact]
    public async Task Update_changes_only_the_masked_fields_and_a_new_etag_is_issued()
    {
        var read = await service.RegisterAsync("Zhao Lei", ownerId: Guid.NewGuid().ToString());

        var updated = await service.Customers.UpdateCustomerAsync(Update(read, c =>
        {
            c.Industry = "Education";
            c.Tags.Add("VIP");
            c.Tags.Add("course");
            c.CustomAttributes["school"] = "No. 1 Middle";
            c.NeedType = NeedType.Service;
            c.DisplayName = "not in the mask";
            c.BudgetMin = new Google.Type.Money { CurrencyCode = "CNY", Units = 1000 };
            c.BudgetMax = new Google.Type.Money { CurrencyCode = "CNY", Units = 5000, Nanos = 500_000_000 };
            c.Birthday = new Google.Type.Date { Year = 1990, Month = 2, Day = 28 };
            c.Address = new Address { RegionCode = "cn", City = "Hangzhou", Street = "1 West Lake Rd" };
        }, "industry", "tags", "custom_attributes", "need_type", "budget_min", "budget_max", "birthday", "address"), Tokens.As(Roles.SalesRep));
        var again = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = read.CustomerId }, Tokens.As(Roles.SalesRep));

        Assert.Equal("Zhao Lei", again.DisplayName);
        Assert.Equal("education", again.Industry);
        Assert.Equal(["vip", "course"], again.Tags);
        Assert.Equal("No. 1 Middle", again.CustomAttributes["school"]);
        Assert.Equal(NeedType.Service, again.NeedType);
        Assert.Equal(5000, again.BudgetMax.Units);
        Assert.Equal(500_000_000, again.BudgetMax.Nanos);
        Assert.Equal(1990, again.Birthday.Year);
        Assert.Equal("CN", again.Address.RegionCode);
        Assert.Equal(read.OwnerId, again.OwnerId);
        Assert.NotEqual(read.Etag, updated.Etag);
        Assert.Equal(updated.Etag, again.Etag);
    }

    [Fact]
    public async Task A_stale_etag_is_aborted_and_nothing_changes()
    {
        var read = await service.RegisterAsync("Qian Yu");
        await service.Customers.UpdateCustomerAsync(Update(read, c => c.Occupation = "teacher", "occupation"), Tokens.As(Roles.SalesRep));

        await Refused(StatusCode.Aborted, async () =>
            await service.Customers.UpdateCustomerAsync(Update(read, c => c.Occupation = "engineer", "occupation"), Tokens.As(Roles.SalesRep)));

        var stored = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = read.CustomerId }, Tokens.As(Roles.SalesRep));
        Assert.Equal("teacher", stored.Occupation);
    }

    [Fact]
    public async Task An_unknown_mask_path_names_update_mask_and_invalid_values_name_their_fields_and_nothing_is_stored()
    {
        var read = await service.RegisterAsync("Sun Li");
        var before = await StateAsync(read.CustomerId);

        var unknown = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(
            Update(read, c => c.LifecycleStage = LifecycleStage.Customer, "lifecycle_stage"), Tokens.As(Roles.SalesRep)));
        var invalid = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(Update(read, c =>
        {
            c.Email = "not-an-address";
            c.Industry = "space travel";
            c.Birthday = new Google.Type.Date { Year = 2990, Month = 1, Day = 1 };
            c.BudgetMin = new Google.Type.Money { CurrencyCode = "CNY", Units = 9 };
            c.BudgetMax = new Google.Type.Money { CurrencyCode = "CNY", Units = 1 };
        }, "email", "industry", "birthday", "budget_min", "budget_max"), Tokens.As(Roles.SalesRep)));
        var noEtag = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(
            Update(new Contracts.Customer.V1.Customer { CustomerId = read.CustomerId }, c => c.Occupation = "x", "occupation"), Tokens.As(Roles.SalesRep)));
        var both = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(
            Update(read, c => { }, "email", "phone"), Tokens.As(Roles.SalesRep)));

        Assert.Equal(["update_mask"], unknown);
        Assert.Equal(["customer.email", "customer.industry", "customer.birthday"], invalid);
        Assert.Equal(["customer.etag"], noEtag);
        Assert.Equal(["customer.email"], both);
        Assert.Equal(before, await StateAsync(read.CustomerId));
    }

    [Fact]
    public async Task A_budget_range_that_runs_backwards_is_refused()
    {
        var read = await service.RegisterAsync("Zhou Min");

        var fields = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(Update(read, c =>
        {
            c.BudgetMin = new Google.Type.Money { CurrencyCode = "CNY", Units = 9 };
            c.BudgetMax = new Google.Type.Money { CurrencyCode = "CNY", Units = 1 };
        }, "budget_min", "budget_max"), Tokens.As(Roles.SalesRep)));

        Assert.Equal(["customer.budget_min"], fields);
    }

    [Fact]
    public async Task A_budget_the_column_cannot_keep_is_refused_naming_the_field_and_nothing_is_stored()
    {
        var read = await service.RegisterAsync("Qian Yu");
        var before = await StateAsync(read.CustomerId);

        // numeric(19,4): more than four decimals would be rounded, 10^15 does not fit.
        var decimals = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(Update(read,
            c => c.BudgetMin = new Google.Type.Money { CurrencyCode = "CNY", Units = 1, Nanos = 12_345 }, "budget_min"), Tokens.As(Roles.SalesRep)));
        var huge = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(Update(read,
            c => c.BudgetMax = new Google.Type.Money { CurrencyCode = "CNY", Units = 1_000_000_000_000_000 }, "budget_max"), Tokens.As(Roles.SalesRep)));

        Assert.Equal(["customer.budget_min"], decimals);
        Assert.Equal(["customer.budget_max"], huge);
        Assert.Equal(before, await StateAsync(read.CustomerId));
    }

    [Fact]
    public async Task Individual_fields_on_an_organization_are_refused()
    {
        var read = await service.RegisterAsync("Acme Trading", kind: CustomerKind.Organization);

        var fields = await InvalidFields(async () => await service.Customers.UpdateCustomerAsync(
            Update(read, c => c.Occupation = "trader", "occupation"), Tokens.As(Roles.SalesRep)));

        Assert.Equal(["customer.occupation"], fields);
    }

    [Fact]
    public async Task Changing_to_a_phone_another_customer_has_is_refused_with_that_customers_id()
    {
        var holder = await service.RegisterAsync("Holder", phone: "+8613700001111");
        var other = await service.RegisterAsync("Other");

        var e = await Refused(StatusCode.AlreadyExists, async () => await service.Customers.UpdateCustomerAsync(
            Update(other, c => c.Phone = "+86 137-0000-1111", "phone"), Tokens.As(Roles.SalesRep)));

        Assert.Equal(holder.CustomerId, e.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["existing_customer_id"]);
        Assert.Equal("phone", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["field"]);
        var stored = await service.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = other.CustomerId }, Tokens.As(Roles.PiiReader, Roles.SalesRep));
        Assert.Equal("", stored.Phone);
    }

    [Fact]
    public async Task The_same_update_request_id_answers_the_first_result()
    {
        var read = await service.RegisterAsync("Wu Gang");
        var request = Update(read, c => c.Occupation = "doctor", "occupation");

        var first = await service.Customers.UpdateCustomerAsync(request, Tokens.As(Roles.SalesRep));
        var again = await service.Customers.UpdateCustomerAsync(request, Tokens.As(Roles.SalesRep));

        Assert.Equal(first, again);
    }

    [Fact]
    public async Task Read_only_roles_may_not_update()
    {
        var read = await service.RegisterAsync("Zheng He");

        await Refused(StatusCode.PermissionDenied, async () => await service.Customers.UpdateCustomerAsync(
            Update(read, c => c.Occupation = "sailor", "occupation"), Tokens.As(Roles.FinanceClerk)));
    }

    private Task<(uint Version, int Requests)> StateAsync(string customerId) =>
        service.QueryAsync(async db => (
            (await db.Customers.AsNoTracking().SingleAsync(c => c.Id == Guid.Parse(customerId))).Version,
            await db.Set<IdempotentRequest>().CountAsync(r => r.Key.StartsWith("UpdateCustomerRequest:"))));
}
