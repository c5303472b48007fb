using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.Contracts.Billing.V1;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;

namespace Platform.Payment.Collections.Application;

/// <summary>
/// Carries out the contract actions collections queued (suspend, resume, terminate) by calling billing's Entitlements
/// API with the service identity. An action billing did not answer stays pending and is tried again next pass; its id
/// is the request_id, so billing applies a repeat once. Billing refusing because the contract is already in the asked
/// state (or terminated) ends the action: there is nothing left to do.
/// </summary>
public sealed class BillingActions(PaymentDb db, Entitlements.EntitlementsClient entitlements, CollectionsDesk desk, AuditTrail audit,
    IOptions<CollectionsOptions> options, TimeProvider clock, ILogger<BillingActions> log)
{
    public async Task<int> RunPendingAsync(CancellationToken ct)
    {
        var pending = await db.Set<ContractAction>().Where(a => a.DoneAt == null && a.CancelledAt == null)
            .OrderBy(a => a.CreatedAt).Take(options.Value.BatchSize).Select(a => a.Id).ToListAsync(ct);
        var done = 0;
        foreach (var id in pending)
        {
            db.ChangeTracker.Clear();
            var action = await db.Set<ContractAction>().SingleAsync(a => a.Id == id, ct);
            if (await CallAsync(action, ct))
            {
                done++;
            }
        }

        return done;
    }

    private async Task<bool> CallAsync(ContractAction action, CancellationToken ct)
    {
        action.Attempts++;
        var now = clock.GetUtcNow();
        string outcome;
        try
        {
            var requestId = action.Id.ToString();
            var contractId = action.ContractId.ToString();
            _ = action.Kind switch
            {
                ContractActionKind.Suspend => await entitlements.SuspendContractAsync(
                    new SuspendContractRequest { RequestId = requestId, ContractId = contractId, Reason = action.Reason }, cancellationToken: ct),
                ContractActionKind.Resume => await entitlements.ResumeContractAsync(
                    new ResumeContractRequest { RequestId = requestId, ContractId = contractId, Reason = action.Reason }, cancellationToken: ct),
                _ => await entitlements.TerminateContractAsync(
                    new TerminateContractRequest { RequestId = requestId, ContractId = contractId, Reason = action.Reason }, cancellationToken: ct),
            };
            outcome = "done";
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
        {
            // Already suspended/active/terminated, or a contract billing does not know: asking again cannot change that.
            outcome = $"refused: {e.Status.Detail}";
            log.LogWarning("Billing refused to {Kind} contract {ContractId}: {Detail}", action.Kind, action.ContractId, e.Status.Detail);
        }
        catch (RpcException e)
        {
            action.LastError = Truncate($"{e.StatusCode}: {e.Status.Detail}");
            log.LogWarning("Billing did not {Kind} contract {ContractId} ({Status}); trying again next pass", action.Kind, action.ContractId, e.StatusCode);
            await db.SaveChangesAsync(ct);
            return false;
        }

        action.DoneAt = now;
        action.LastError = outcome == "done" ? null : Truncate(outcome);
        var @case = await db.Set<CollectionCase>().SingleAsync(c => c.Id == action.CaseId, ct);
        var refused = outcome != "done";
        switch (action.Kind)
        {
            case ContractActionKind.Suspend:
                @case.ContractSuspended = !refused || @case.ContractSuspended;
                if (!@case.IsOpen && !refused)
                {
                    // The case was paid while billing was being asked: undo the suspension at once.
                    await desk.ResumeIfFreeAsync(@case, action.ContractId, now, ct);
                }

                break;
            case ContractActionKind.Resume:
                @case.ContractSuspended = false;
                break;
            default:
                @case.ContractTerminated = !refused;
                break;
        }

        audit.Record(CollectionsDesk.System, "collections.contract_" + action.Kind.ToString().ToLowerInvariant(), CollectionsDesk.Subject(@case), @case.CustomerId,
            new { contractId = action.ContractId, outcome, action.Attempts });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];
}
