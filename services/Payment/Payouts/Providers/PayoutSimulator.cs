using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Platform.Payment.Online.Providers;

namespace Platform.Payment.Payouts.Providers;

/// <summary>
/// A simulated bank payout API: refuses a transfer above its single-transfer limit (as banks do), and settles an
/// accepted one after <see cref="PayoutSimulatorOptions.SettleAfter"/>. Its books live in memory; after a restart it
/// no longer knows earlier transfers, and the service sends them again under the same key.
/// </summary>
public sealed class PayoutSimulator(IOptions<PayoutsOptions> options, TimeProvider clock) : IPayoutProvider
{
    private readonly ConcurrentDictionary<Guid, (ProviderTransferReport Answer, DateTimeOffset AcceptedAt)> transfers = new();

    public string Name => "payout-simulator";

    private PayoutSimulatorOptions Settings => options.Value.Simulator;

    public Task<ProviderTransferReport> TransferAsync(PayoutOrder order, CancellationToken ct) =>
        Task.FromResult(Current(order.RefundId, transfers.GetOrAdd(order.RefundId, _ => order.Amount > Settings.SingleTransferLimit
            ? (new ProviderTransferReport(ProviderTransferStatus.Failed, Reason:
                $"the bank refused the transfer: {order.Amount.ToString("0.00", CultureInfo.InvariantCulture)} exceeds the single transfer limit of {Settings.SingleTransferLimit.ToString("0.00", CultureInfo.InvariantCulture)}"), clock.GetUtcNow())
            : (new ProviderTransferReport(ProviderTransferStatus.Pending, "SIMP" + order.RefundId.ToString("N").ToUpperInvariant()), clock.GetUtcNow()))));

    public Task<ProviderTransferReport?> QueryAsync(Guid refundId, CancellationToken ct) =>
        Task.FromResult(transfers.TryGetValue(refundId, out var transfer) ? Current(refundId, transfer) : null);

    private ProviderTransferReport Current(Guid refundId, (ProviderTransferReport Answer, DateTimeOffset AcceptedAt) transfer) =>
        transfer.Answer.Status == ProviderTransferStatus.Pending && clock.GetUtcNow() - transfer.AcceptedAt >= Settings.SettleAfter
            ? transfer.Answer with { Status = ProviderTransferStatus.Succeeded }
            : transfer.Answer;
}
