using Platform.Billing.Commerce.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Tests.Unit.Billing.Commerce;

public sealed class ContractSigningTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static Contract Draft() => new() { Id = Guid.NewGuid(), Currency = "CNY", CreatedBy = "rep", TermMonths = 12 };

    private static Signature By(SignatureParty party, int minute = 0) =>
        new() { Party = party, SignerName = party.ToString(), RecordedBy = "rep", SignedAt = Now.AddMinutes(minute) };

    [Fact]
    public void Contract_is_signed_when_both_parties_signed_at_the_later_signature()
    {
        var contract = Draft();

        Assert.False(contract.Sign(By(SignatureParty.Customer)));
        Assert.Equal(ContractState.Draft, contract.State);
        Assert.True(contract.Sign(By(SignatureParty.Company, 5)));
        Assert.Equal((ContractState.Signed, Now.AddMinutes(5)), (contract.State, contract.SignedAt));
    }

    [Fact]
    public void One_party_cannot_sign_twice()
    {
        var contract = Draft();
        contract.Sign(By(SignatureParty.Customer));

        var e = Assert.Throws<PreconditionFailedException>(() => contract.Sign(By(SignatureParty.Customer, 1)));

        Assert.Equal("ALREADY_SIGNED_BY_PARTY", e.Reason);
        Assert.Single(contract.Signatures);
    }

    [Fact]
    public void Signed_contract_is_immutable()
    {
        var contract = Draft();
        contract.Sign(By(SignatureParty.Customer));
        contract.Sign(By(SignatureParty.Company));

        Assert.Equal("CONTRACT_SIGNED", Assert.Throws<PreconditionFailedException>(contract.RequireDraft).Reason);
    }

    [Fact]
    public void Entitlement_moves_active_suspended_active_terminated_and_never_back()
    {
        var contract = Draft();
        Assert.Equal("CONTRACT_NOT_SIGNED", Assert.Throws<PreconditionFailedException>(() => contract.Suspend("overdue", Now)).Reason);
        contract.Sign(By(SignatureParty.Customer));
        contract.Sign(By(SignatureParty.Company));

        contract.Suspend("overdue", Now);
        Assert.Equal(("ENTITLEMENT_STATE"), Assert.Throws<PreconditionFailedException>(() => contract.Suspend("again", Now)).Reason);
        contract.Resume("paid", Now);
        contract.Terminate("ended", Now);

        Assert.Equal(EntitlementState.Terminated, contract.Entitlement);
        Assert.Equal("ENTITLEMENT_STATE", Assert.Throws<PreconditionFailedException>(() => contract.Resume("paid", Now)).Reason);
    }
}
