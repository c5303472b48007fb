using Platform.Payment.Online.Providers;

namespace Platform.Payment.Payouts.Providers;

/// <summary>A bank transfer to a customer; <paramref name="RefundId"/> is the idempotency key.</summary>
public sealed record PayoutOrder(Guid RefundId, Guid CustomerId, decimal Amount, string Currency);

/// <summary>
/// Pays money out to a customer by bank transfer (the bank's corporate payment API, or the simulator). Transfers are
/// keyed by refund id: sending the same one twice is one transfer.
/// </summary>
public interface IPayoutProvider
{
    string Name { get; }

    Task<ProviderTransferReport> TransferAsync(PayoutOrder order, CancellationToken ct);

    /// <summary>The state of a transfer sent before; null when the provider never received it.</summary>
    Task<ProviderTransferReport?> QueryAsync(Guid refundId, CancellationToken ct);
}
