using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.Contracts.Billing.V1;
using Platform.Payment.Application;
using Platform.Payment.Collections.Domain;
using Platform.Payment.Data;

namespace Platform.Payment.Collections.Application;

/// <summary>
/// Carries out the contract actions collections queued (suspend, resume, terminate) by calling billing's Entitlements
/// API with the service identity. An action billing did not answer stays pending and is tried again after a
/// <see cref="Backoff"/>, behind the actions due meanwhile; its id is the request_id, so billing applies a repeat once.
/// Billing refusing because the contract is already in the asked state (or terminated), or does not know it, ends the
/// action: there is nothing left to do.
/// </summary>
public sealed class BillingActions(PaymentDb db, Entitlements.EntitlementsClient entitlements, Invoices.InvoicesClient invoices, CollectionsDesk desk,
    AuditTrail audit, IOptions<CollectionsOptions> options, TimeProvider clock, ILogger<BillingActions> log)
{
    public async Task<int> RunPendingAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var pending = await db.Set<ContractAction>().Where(a => a.DoneAt == null && a.CancelledAt == null && a.NextAttemptAt <= now)
            .OrderBy(a => a.NextAttemptAt).ThenBy(a => a.Id).Take(options.Value.BatchSize).Select(a => a.Id).ToListAsync(ct);
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
        var @case = await db.Set<CollectionCase>().SingleAsync(c => c.Id == action.CaseId, ct);
        string outcome;
        try
        {
            var requestId = action.Id.ToString();
            var contractId = action.ContractId?.ToString() ?? "";
            _ = action.Kind switch
            {
                ContractActionKind.Uncollectible => (object)await invoices.MarkInvoiceUncollectibleAsync(
                    new MarkInvoiceUncollectibleRequest { RequestId = requestId, InvoiceId = @case.InvoiceId.ToString(), Reason = action.Reason }, cancellationToken: ct),
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
            // Already suspended/active/terminated (or the invoice already paid or void), or a contract or invoice billing
            // does not know: asking again cannot change that.
            outcome = $"refused: {e.Status.Detail}";
            log.LogWarning("Billing refused to {Kind} for case {CaseId} (contract {ContractId}): {Detail}", action.Kind, action.CaseId, action.ContractId, e.Status.Detail);
        }
        catch (RpcException e)
        {
            action.LastError = Truncate($"{e.StatusCode}: {e.Status.Detail}");
            action.NextAttemptAt = Backoff.NextTry(action.CreatedAt, now, options.Value.JobInterval, options.Value.MaxRetryDelay);
            // Billing down or failing clears by itself; a request billing refuses as invalid or not allowed to payment
            // (a deployment's token or a contract out of step) needs a person, and is tried again once it is put right.
            var level = e.StatusCode is StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.Unimplemented
                ? LogLevel.Error : LogLevel.Warning;
            log.Log(level, "Billing did not {Kind} for case {CaseId} (contract {ContractId}) ({Status}); trying again at {NextAttemptAt}", action.Kind,
                action.CaseId, action.ContractId, e.StatusCode, action.NextAttemptAt);
            await db.SaveChangesAsync(ct);
            return false;
        }

        action.DoneAt = now;
        action.LastError = outcome == "done" ? null : Truncate(outcome);
        var refused = outcome != "done";
        switch (action.Kind)
        {
            case ContractActionKind.Suspend:
                @case.ContractSuspended = !refused || @case.ContractSuspended;
                if (!@case.IsOpen && @case.CloseReason == "paid" && !refused)
                {
                    // The case was paid while billing was being asked: undo the suspension at once (never for a write-off).
                    await desk.ResumeIfFreeAsync(@case, action.ContractId!.Value, now, ct);
                }

                break;
            case ContractActionKind.Resume:
                @case.ContractSuspended = false;
                break;
            case ContractActionKind.Terminate:
                @case.ContractTerminated = !refused;
                break;
            default:
                // The invoice's state is billing's; the audit entry below keeps billing's answer.
                break;
        }

        var auditAction = action.Kind == ContractActionKind.Uncollectible ? "collections.invoice_marked_uncollectible"
            : "collections.contract_" + action.Kind.ToString().ToLowerInvariant();
        audit.Record(CollectionsDesk.System, auditAction, CollectionsDesk.Subject(@case), @case.CustomerId,
            new { contractId = action.ContractId, invoiceId = @case.InvoiceId, outcome, action.Attempts });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];
}
