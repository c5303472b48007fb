using Platform.Payment.Domain;

namespace Platform.Payment.Online.Providers.Simulator;

/// <summary>The built-in QR-code wallet as a provider: serves Alipay and WeChat Pay intents from <see cref="SimulatorWallet"/>.</summary>
public sealed class SimulatorProvider(SimulatorWallet wallet) : IOnlinePaymentProvider
{
    public const string ProviderName = "simulator";

    public string Name => ProviderName;

    public bool Supports(PaymentMethod method) => method is PaymentMethod.Alipay or PaymentMethod.WechatPay;

    public Task<IssuedOrder> CreateAsync(WalletOrder order, CancellationToken ct) => Task.FromResult(wallet.Create(order));

    public Task<WalletPaymentReport> QueryAsync(string providerReference, CancellationToken ct) => Task.FromResult(wallet.Query(providerReference));

    public Task CloseAsync(string providerReference, CancellationToken ct)
    {
        wallet.Close(providerReference);
        return Task.CompletedTask;
    }

    public Task<ProviderTransferReport> RefundAsync(string providerReference, Guid refundId, decimal amount, CancellationToken ct) =>
        Task.FromResult(wallet.Refund(providerReference, refundId, amount));

    public Task<ProviderTransferReport?> QueryRefundAsync(Guid refundId, CancellationToken ct) => Task.FromResult(wallet.QueryRefund(refundId));

    public Task<IReadOnlyList<ProviderStatementLine>> DownloadStatementAsync(DateOnly day, CancellationToken ct) => Task.FromResult(wallet.Statement(day));
}
