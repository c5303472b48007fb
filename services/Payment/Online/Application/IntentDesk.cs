using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.BuildingBlocks.Audit;
using Platform.Payment.Data;
using Platform.Payment.Domain;
using Platform.Payment.Online.Domain;
using Platform.Payment.Online.Providers;
using Platform.ServiceDefaults.Errors;

namespace Platform.Payment.Online.Application;

/// <summary>What a clerk (or another service) asks the payer to pay.</summary>
public sealed record IntentRequest(Guid CustomerId, decimal Amount, string Currency, PaymentMethod Method, Guid? ContractId,
    IReadOnlyList<Guid> InvoiceIds, string? Description);

/// <summary>Creates, reads and cancels payment intents. Runs inside the caller's transaction (IdempotentRequests); saves.</summary>
public sealed class IntentDesk(PaymentDb db, OnlineProviders providers, AuditTrail audit, TimeProvider clock, IOptions<OnlineOptions> options)
{
    public async Task<PaymentIntent> CreateAsync(IntentRequest request, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var provider = providers.For(request.Method);
        var intent = new PaymentIntent
        {
            Id = Guid.CreateVersion7(),
            CustomerId = request.CustomerId,
            Amount = request.Amount,
            Currency = request.Currency,
            Method = request.Method,
            Provider = provider.Name,
            ContractId = request.ContractId,
            InvoiceIds = [.. request.InvoiceIds],
            Description = request.Description,
            CreatedAt = now,
            ExpiresAt = now + options.Value.ExpireAfter,
        };
        IssuedOrder issued;
        try
        {
            issued = await provider.CreateAsync(new WalletOrder(intent.Id, intent.Amount, intent.Currency, intent.Method, intent.Description, intent.ExpiresAt), ct);
        }
        catch (HttpRequestException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The {provider.Name} provider is unreachable; try again"), e.Message);
        }

        intent.Issue(issued.ProviderReference, issued.QrCodeContent, now);
        db.Set<PaymentIntent>().Add(intent);
        audit.Record(actor, "payment_intent.created", intent.Id.ToString(), intent.CustomerId,
            new { intent.Amount, Method = intent.Method.WireName(), intent.ProviderReference });
        await db.SaveChangesAsync(ct);
        return intent;
    }

    public async Task<PaymentIntent> GetAsync(Guid id, CancellationToken ct) =>
        await db.Set<PaymentIntent>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct)
        ?? throw new NotFoundException("payment intent", id.ToString());

    /// <summary>Closes the QR code at the provider first, so the payer can no longer pay what we cancel.</summary>
    public async Task<PaymentIntent> CancelAsync(Guid id, string actor, CancellationToken ct)
    {
        var intent = (await db.Set<PaymentIntent>().FromSql($"SELECT *, xmin FROM payment_intents WHERE id = {id} FOR UPDATE").ToListAsync(ct)).SingleOrDefault()
            ?? throw new NotFoundException("payment intent", id.ToString());
        if (intent.IsFinal)
        {
            throw new PreconditionFailedException("PAYMENT_INTENT_FINAL", "payment_intents/" + id, $"The payment intent is already {intent.State.ToString().ToLowerInvariant()}.");
        }

        if (intent.ProviderReference is { } reference)
        {
            await providers.Named(intent.Provider).CloseAsync(reference, ct);
        }

        intent.Cancel(clock.GetUtcNow());
        audit.Record(actor, "payment_intent.cancelled", intent.Id.ToString(), intent.CustomerId, new { intent.ProviderReference });
        await db.SaveChangesAsync(ct);
        return intent;
    }
}
