namespace Platform.Payment.VirtualAccounts.Application;

/// <summary>Configuration under <c>Payment:VirtualAccounts</c>.</summary>
public sealed class VirtualAccountsOptions
{
    public const string Section = "Payment:VirtualAccounts";

    /// <summary>The leading digits of every number: the range the bank gave the company (1-20 digits).</summary>
    public string Prefix { get; set; } = "9558";
}
