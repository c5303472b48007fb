using Google.Rpc;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit;

public sealed class ErrorMappingTests
{
    [Fact]
    public void Validation_failure_becomes_invalid_argument_with_field_violations()
    {
        var status = ErrorInterceptor.ToStatus(new ValidationException([new("display_name", "must be 1-200 characters"), new("email", "bad")]));

        Assert.Equal((int)Code.InvalidArgument, status.Code);
        var bad = status.Details.Single(d => d.Is(BadRequest.Descriptor)).Unpack<BadRequest>();
        Assert.Equal(["display_name", "email"], bad.FieldViolations.Select(v => v.Field));
        Assert.Equal("INVALID_ARGUMENT", status.Details.Single(d => d.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>().Reason);
    }

    [Fact]
    public void Precondition_failure_names_its_subject()
    {
        var status = ErrorInterceptor.ToStatus(new PreconditionFailedException("CONTRACT_SIGNED", "contracts/42", "a signed contract cannot change"));

        Assert.Equal((int)Code.FailedPrecondition, status.Code);
        var violation = status.Details.Single(d => d.Is(PreconditionFailure.Descriptor)).Unpack<PreconditionFailure>().Violations.Single();
        Assert.Equal("contracts/42", violation.Subject);
        Assert.Equal("CONTRACT_SIGNED", violation.Type);
    }

    [Fact]
    public void Already_exists_carries_its_metadata()
    {
        var status = ErrorInterceptor.ToStatus(new AlreadyExistsException("CUSTOMER_ALREADY_EXISTS", "dup") { Metadata = { ["existing_customer_id"] = "abc" } });

        Assert.Equal((int)Code.AlreadyExists, status.Code);
        Assert.Equal("abc", status.Details.Single(d => d.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>().Metadata["existing_customer_id"]);
    }

    [Fact]
    public void First_differing_field_of_two_requests_is_named()
    {
        var first = new RegisterCustomerRequest { RequestId = "r1", DisplayName = "A", Email = "a@example.com" };

        var key = new byte[32];
        var fingerprint = RequestFingerprint.Of(first, key);

        Assert.Null(RequestFingerprint.FirstDifference(fingerprint, RequestFingerprint.Of(first.Clone(), key)));
        Assert.Equal("email", RequestFingerprint.FirstDifference(fingerprint,
            RequestFingerprint.Of(new RegisterCustomerRequest { RequestId = "r1", DisplayName = "A", Email = "b@example.com" }, key)));
        Assert.DoesNotContain("a@example.com", fingerprint, StringComparison.Ordinal);
    }
}
