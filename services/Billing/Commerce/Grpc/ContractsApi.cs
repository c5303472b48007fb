using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Platform.Billing.Commerce.Application;
using Platform.Billing.Data;
using Platform.BuildingBlocks.Idempotency;
using Platform.Contracts.Billing.V1;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Errors;
using static Platform.Billing.Commerce.Grpc.CommerceMapping;
using Domain = Platform.Billing.Commerce.Domain;

namespace Platform.Billing.Commerce.Grpc;

public sealed class ContractsApi(ContractService contracts, IdempotentRequests<BillingDb> idempotent, IOptions<CommerceOptions> options, TimeProvider clock)
    : Platform.Contracts.Billing.V1.Contracts.ContractsBase
{
    private static readonly HashSet<string> TermPaths =
        ["start_time", "payment", "refund_policy", "prepaid_validity_months", "auto_renew", "price_follows_list", "late_terms"];

    [Authorize(Roles = Sales)]
    public override async Task<Contract> CreateContract(CreateContractRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var quoteId = check.RequireGuid(request.QuoteId, "quote_id");
        var terms = ContractTermsMapping.Parse(check, request.Terms, TermPaths, options.Value.Currency);
        check.ThrowIfInvalid();
        var caller = context.CallerId();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ContractTermsMapping.ToProto(await contracts.CreateAsync(quoteId, terms, caller, ct)), context.CancellationToken);
    }

    [Authorize(Roles = Roles.Readers)]
    public override async Task<Contract> GetContract(GetContractRequest request, ServerCallContext context)
    {
        var check = new Validator();
        var id = check.RequireGuid(request.ContractId, "contract_id");
        check.ThrowIfInvalid();
        return ContractTermsMapping.ToProto(await contracts.GetAsync(id, context.CancellationToken));
    }

    [Authorize(Roles = Sales)]
    public override async Task<Contract> UpdateContract(UpdateContractRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.ContractId, "contract_id");
        var etag = ParseEtag(request.Etag);
        check.Require(etag is not null, "etag", "must be the etag read with the contract");
        var paths = (request.UpdateMask?.Paths ?? []).Select(p => p.StartsWith("terms.", StringComparison.Ordinal) ? p[6..] : p).ToHashSet();
        check.Require(paths.Count > 0, "update_mask", "must name at least one term")
            .Require(paths.All(TermPaths.Contains), "update_mask", "may name only: " + string.Join(", ", TermPaths));
        var terms = ContractTermsMapping.Parse(check, request.Terms, paths, options.Value.Currency);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ContractTermsMapping.ToProto(await contracts.UpdateAsync(id, etag!.Value, terms, paths, ct)), context.CancellationToken);
    }

    [Authorize(Roles = Sales)]
    public override async Task<Contract> SignContract(SignContractRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.ContractId, "contract_id");
        var signature = Signature(check, request.Party, request.SignerName, context);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ContractTermsMapping.ToProto(await contracts.SignAsync(id, signature, ct)), context.CancellationToken);
    }

    [Authorize(Roles = Sales)]
    public override async Task<Contract> AmendContract(AmendContractRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.ContractId, "contract_id");
        var items = check.Items(request.Items, "items");
        check.RequireLength(request.Description, "description", 1, 500);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ContractTermsMapping.ToProto(await contracts.AmendAsync(id, items, request.Description, ct)), context.CancellationToken);
    }

    [Authorize(Roles = Sales)]
    public override async Task<Contract> SignAmendment(SignAmendmentRequest request, ServerCallContext context)
    {
        var check = new Validator();
        check.RequestId(request.RequestId);
        var id = check.RequireGuid(request.ContractId, "contract_id");
        var amendmentId = check.RequireGuid(request.AmendmentId, "amendment_id");
        var signature = Signature(check, request.Party, request.SignerName, context);
        check.ThrowIfInvalid();
        return await idempotent.ExecuteAsync(request.RequestId, request,
            async ct => ContractTermsMapping.ToProto(await contracts.SignAmendmentAsync(id, amendmentId, signature, ct)), context.CancellationToken);
    }

    /// <summary>The company's signature binds the company: only a sales manager records it.</summary>
    private Domain.Signature Signature(Validator check, SignatureParty party, string signerName, ServerCallContext context)
    {
        check.Require(party is SignatureParty.Customer or SignatureParty.Company, "party", "must be customer or company")
            .RequireLength(signerName, "signer_name", 1, 200);
        if (party == SignatureParty.Company && !context.GetHttpContext().User.IsInRole(Roles.SalesManager))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "the company signature needs the sales_manager role"));
        }

        return new Domain.Signature
        {
            Party = (Domain.SignatureParty)(int)party,
            SignerName = signerName,
            RecordedBy = context.CallerId(),
            SignedAt = clock.GetUtcNow(),
        };
    }
}
