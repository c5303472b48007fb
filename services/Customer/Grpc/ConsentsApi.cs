using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Customer.V1;
using Platform.Customer.Application;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Grpc;

public sealed class ConsentsApi(ConsentBook consents, IdempotentRequests<CustomerDb> idempotent) : CustomerConsents.CustomerConsentsBase
{
    private const string Recorders = $"{Roles.SalesRep},{Roles.SalesManager},{Roles.SupportAgent},{Roles.SupportSupervisor},{Roles.Administrator},{Roles.Service}";

    [Authorize(Roles = Recorders)]
    public override async Task<Consent> SetConsent(SetConsentRequest request, ServerCallContext context)
    {
        var check = new Validator().RequireLength(request.RequestId, "request_id", 1, 128);
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        check.Require(request.Purpose is not Contracts.Customer.V1.ConsentPurpose.Unspecified && System.Enum.IsDefined(request.Purpose), "purpose",
            "must be MARKETING, TRANSACTIONAL or COLLECTIONS");
        var source = request.Source.Trim();
        check.RequireLength(source, "source", 1, 100);
        check.ThrowIfInvalid();
        var recordedBy = context.CallerId();
        return await idempotent.ExecuteAsync(request.RequestId, request, async ct =>
            ToProto(await consents.SetAsync(customer, (Domain.ConsentPurpose)(int)request.Purpose, request.Granted, source, recordedBy, ct)),
            _ => [CustomersApi.CustomerSubject(customer)], context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<GetConsentsResponse> GetConsents(GetConsentsRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var customer = check.RequireGuid(request.CustomerId, "customer_id");
        check.ThrowIfInvalid();
        var (current, history) = await consents.GetAsync(customer, context.CancellationToken);
        return new GetConsentsResponse { Current = { current.Select(ToProto) }, History = { history.Select(ToProto) } };
    }

    private static Consent ToProto(ConsentChange c) => new()
    {
        CustomerId = c.CustomerId.ToString(),
        Purpose = (Contracts.Customer.V1.ConsentPurpose)(int)c.Purpose,
        Granted = c.Granted,
        Source = c.Source,
        ChangeTime = Timestamp.FromDateTimeOffset(c.ChangedAt),
        RecordedBy = c.RecordedBy,
    };
}
