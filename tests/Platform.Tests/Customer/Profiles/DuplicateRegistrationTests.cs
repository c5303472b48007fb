using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Data;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Customer.Profiles;

[Collection(ProfileCollection.Name)]
public sealed class DuplicateRegistrationTests(ProfileService service)
{
    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_one_customer_and_refuse_the_rest_with_its_id()
    {
        var run = Guid.NewGuid().ToString("N");
        var email = $"race.{run}@example.com";
        var attempts = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            try
            {
                var created = await service.Customers.RegisterCustomerAsync(new RegisterCustomerRequest
                {
                    RequestId = Guid.NewGuid().ToString(), Kind = CustomerKind.Individual, DisplayName = $"Racer {run} {i}", Email = email,
                }, Tokens.As(Roles.SalesRep));
                return (Created: created.CustomerId, Refusal: (RpcException?)null);
            }
            catch (RpcException e)
            {
                return (Created: (string?)null, Refusal: e);
            }
        }));

        var winner = Assert.Single(attempts, a => a.Created is not null).Created!;
        foreach (var refusal in attempts.Where(a => a.Created is null).Select(a => a.Refusal!))
        {
            Assert.Equal(StatusCode.AlreadyExists, refusal.StatusCode);
            Assert.Equal(winner, refusal.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["existing_customer_id"]);
        }

        var stored = await service.Host.QueryAsync<CustomerDb, List<Guid>>(db => db.Customers.Where(c => c.DisplayName.StartsWith("Racer " + run)).Select(c => c.Id).ToListAsync());
        Assert.Equal([Guid.Parse(winner)], stored);
    }
}
