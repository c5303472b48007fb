using Platform.Payment.Domain;

namespace Platform.Payment.Online.Providers;

/// <summary>What the service asks a wallet provider to collect.</summary>
/// <param name="IntentId">Our id; providers keep it as the merchant's order number, so a retried create is one order.</param>
public sealed record WalletOrder(Guid IntentId, decimal Amount, string Currency, PaymentMethod Method, string? Description, DateTimeOffset ExpiresAt);

/// <summary>The provider's answer to a create: its reference and what the QR code encodes.</summary>
public sealed record IssuedOrder(string ProviderReference, string QrCodeContent);

public enum WalletPaymentStatus
{
    /// <summary>Not paid yet.</summary>
    Pending,
    Paid,
    Failed,

    /// <summary>The provider does not know the reference (yet, or any more); ask again later.</summary>
    Unknown,
}

/// <summary>What the provider says about one order.</summary>
public sealed record WalletPaymentReport(WalletPaymentStatus Status, DateTimeOffset? PaidAt = null, decimal? Amount = null, string? Reason = null);

public enum ProviderTransferStatus
{
    /// <summary>Accepted; the money has not moved yet.</summary>
    Pending,
    Succeeded,
    Failed,
}

/// <summary>The outcome of a refund or payout, as the provider reports it.</summary>
public sealed record ProviderTransferReport(ProviderTransferStatus Status, string? ProviderReference = null, string? Reason = null);

/// <summary>One line of a provider's daily statement.</summary>
public sealed record ProviderStatementLine(DateOnly BookedOn, decimal Amount, string Reference, string Counterparty);

/// <summary>
/// A wallet provider (Alipay, WeChat Pay, or the built-in simulator): issues QR codes, answers status queries and
/// refunds. Its notifications arrive at its own HTTP endpoint (each provider signs them its own way).
/// Every call that moves money is keyed by our id, so a retry after a timeout is the same order or refund.
/// </summary>
public interface IOnlinePaymentProvider
{
    /// <summary>The provider's name, stored on each intent.</summary>
    string Name { get; }

    bool Supports(PaymentMethod method);

    Task<IssuedOrder> CreateAsync(WalletOrder order, CancellationToken ct);

    Task<WalletPaymentReport> QueryAsync(string providerReference, CancellationToken ct);

    /// <summary>Closes an unpaid order so it can no longer be paid.</summary>
    Task CloseAsync(string providerReference, CancellationToken ct);

    /// <summary>Refunds part or all of a paid order; <paramref name="refundId"/> is the idempotency key.</summary>
    Task<ProviderTransferReport> RefundAsync(string providerReference, Guid refundId, decimal amount, CancellationToken ct);

    /// <summary>The state of a refund asked for before; null when the provider never received it.</summary>
    Task<ProviderTransferReport?> QueryRefundAsync(Guid refundId, CancellationToken ct);

    /// <summary>The provider's statement of one day (what it settled to us), for reconciliation.</summary>
    Task<IReadOnlyList<ProviderStatementLine>> DownloadStatementAsync(DateOnly day, CancellationToken ct);
}

/// <summary>The wallet providers registered in the service; picks the one that serves a method.</summary>
public sealed class OnlineProviders(IEnumerable<IOnlinePaymentProvider> providers)
{
    public IOnlinePaymentProvider For(PaymentMethod method) =>
        providers.FirstOrDefault(p => p.Supports(method))
        ?? throw new InvalidOperationException($"No online provider serves {method.WireName()}.");

    public IOnlinePaymentProvider Named(string name) =>
        providers.FirstOrDefault(p => p.Name == name) ?? throw new InvalidOperationException($"No online provider is named {name}.");
}
