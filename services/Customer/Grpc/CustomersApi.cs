using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.BuildingBlocks.Privacy;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using Proto = Platform.Contracts.Customer.V1;

namespace Platform.Customer.Grpc;

public sealed class CustomersApi(CustomerRegistry registry, IdempotentRequests<CustomerDb> idempotent, PiiProtector pii)
    : Customers.CustomersBase
{
    private const string Readers = $"{Roles.SalesRep},{Roles.SalesManager},{Roles.SupportAgent},{Roles.SupportSupervisor},{Roles.FinanceClerk},{Roles.FinanceApprover},{Roles.Administrator},{Roles.Service}";

    [Authorize(Roles = $"{Roles.SalesRep},{Roles.SalesManager},{Roles.Administrator}")]
    public override async Task<Proto.Customer> RegisterCustomer(RegisterCustomerRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var registration = NewCustomer.Create((int)request.Kind, request.DisplayName, request.Email, request.Phone, request.OwnerId, check);

        // The stored first answer is masked: no plaintext PII at rest, not even in the idempotency table.
        var answer = await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ToProto(await registry.RegisterAsync(registration, ct), reveal: false), context.CancellationToken);
        return CanReadPii(context)
            ? ToProto(await registry.GetAsync(Guid.Parse(answer.CustomerId), context.CancellationToken), reveal: true)
            : answer;
    }

    [Authorize(Roles = Readers)]
    public override async Task<Proto.Customer> GetCustomer(GetCustomerRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var customer = await registry.GetAsync(id, context.CancellationToken);
        return ToProto(customer, CanReadPii(context));
    }

    private static bool CanReadPii(ServerCallContext context) => context.GetHttpContext().User.IsInRole(Roles.PiiReader);

    private Proto.Customer ToProto(CustomerProfile c, bool reveal)
    {
        var email = c.EmailCipher is null ? "" : pii.Unprotect(c.EmailCipher);
        var phone = c.PhoneCipher is null ? "" : pii.Unprotect(c.PhoneCipher);
        var proto = new Proto.Customer
        {
            CustomerId = c.Id.ToString(),
            Kind = (Proto.CustomerKind)(int)c.Kind,
            DisplayName = c.DisplayName,
            Email = email,
            Phone = phone,
            OwnerId = c.OwnerId?.ToString() ?? "",
            LifecycleStage = (Proto.LifecycleStage)(int)c.Stage,
            CreateTime = Timestamp.FromDateTimeOffset(c.CreatedAt),
            Etag = $"W/\"{c.Version}\"",
        };
        return reveal ? proto : Mask(proto);
    }

    private static Proto.Customer Mask(Proto.Customer c)
    {
        var masked = c.Clone();
        masked.Email = c.Email.Length == 0 ? "" : PiiMask.Email(c.Email);
        masked.Phone = c.Phone.Length == 0 ? "" : PiiMask.Phone(c.Phone);
        return masked;
    }
}
