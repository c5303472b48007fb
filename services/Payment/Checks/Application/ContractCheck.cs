using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Contracts.Billing.V1;
using Platform.Payment.Checks.Domain;
using Platform.Payment.Data;
using Platform.Payment.Merges;
using Platform.ServiceDefaults.Errors;
using ContractsClient = Platform.Contracts.Billing.V1.Contracts.ContractsClient;

namespace Platform.Payment.Checks.Application;

/// <summary>
/// Checks the contract a payment is a deposit for: it must be one billing knows, signed by the payer or by a customer
/// since merged into the payer. Billing dates the deposited money by that contract's prepaid validity, so a contract of
/// someone else would give this customer's money another customer's terms. Payment's own memory of contracts
/// (<see cref="KnownContract"/>) answers first; a contract it has not seen is asked of billing
/// (<c>Contracts.GetContract</c>) and remembered, as a contract never changes hands. A bad one is INVALID_ARGUMENT
/// naming the field. When billing cannot answer, the contract is taken as named and a warning logged (billing applies
/// a contract's terms only to its own customer's money): an outage never turns money away.
/// </summary>
public sealed class ContractCheck(PaymentDb db, ContractsClient contracts, Survivors survivors, IOptions<ChecksOptions> options,
    TimeProvider clock, ILogger<ContractCheck> log)
{
    private static readonly Func<PaymentDb, Guid, CancellationToken, Task<KnownContract?>> KnownContractOf =
        EF.CompileAsyncQuery((PaymentDb db, Guid contractId, CancellationToken ct) =>
            db.Set<KnownContract>().AsNoTracking().SingleOrDefault(c => c.ContractId == contractId));

    public async Task EnsureAsync(Guid payerId, Guid? contractId, string field, CancellationToken ct)
    {
        if (contractId is not { } id)
        {
            return;
        }

        var contract = await KnownContractOf(db, id, ct) ?? await AskAsync(id, field, ct);
        if (contract is null || contract.CustomerId == payerId || await survivors.OfAsync(contract.CustomerId, ct) == payerId)
        {
            return;
        }

        var named = contract.Number.Length > 0 ? contract.Number : id.ToString();
        throw ValidationException.For(field, $"contract {named} is another customer's", "CONTRACT_OF_ANOTHER_CUSTOMER");
    }

    /// <summary>Billing's answer, remembered; null when billing could not answer.</summary>
    private async Task<KnownContract?> AskAsync(Guid contractId, string field, CancellationToken ct)
    {
        var (answer, notFound) = await ServiceLookup.AskAsync(deadline => contracts.GetContractAsync(
            new GetContractRequest { ContractId = contractId.ToString() }, deadline: deadline, cancellationToken: ct), options.Value.LookupTimeout, log,
            "contract", contractId, ct);
        if (notFound)
        {
            throw ValidationException.For(field, $"no contract {contractId} is known to billing", "CONTRACT_NOT_FOUND");
        }

        if (answer is null)
        {
            return null; // no answer: taken as named
        }

        if (!Guid.TryParse(answer.CustomerId, out var customerId))
        {
            log.LogWarning("Billing answered contract {ContractId} without a customer; taking it as named", contractId);
            return null;
        }

        var remembered = new KnownContract { ContractId = contractId, CustomerId = customerId, Number = answer.Number, RememberedAt = clock.GetUtcNow() };
        // Two payments naming a new contract at once both ask: whichever inserts second changes nothing.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO known_contracts (contract_id, customer_id, number, remembered_at)
            VALUES ({remembered.ContractId}, {remembered.CustomerId}, {remembered.Number}, {remembered.RememberedAt})
            ON CONFLICT (contract_id) DO NOTHING
            """, ct);
        return remembered;
    }
}
